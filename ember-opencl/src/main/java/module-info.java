/** The OpenCL backend (LWJGL); it exports nothing and is found by {@code ServiceLoader}. */
module dev.ember.opencl {
    requires dev.ember.core;
    requires org.lwjgl;
    requires org.lwjgl.opencl;

    provides dev.ember.backend.BackendProvider with dev.ember.backend.opencl.OpenClProvider;
}
