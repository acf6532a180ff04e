/** The OpenCL runtime (LWJGL) of the shared GPU backend; it exports nothing and is found by {@code ServiceLoader}. */
module dev.ember.opencl {
    requires dev.ember.gpu;
    requires org.lwjgl;
    requires org.lwjgl.opencl;

    provides dev.ember.backend.BackendProvider with dev.ember.backend.opencl.OpenClProvider;
}
