package dev.ember.backend.opencl;

import static org.lwjgl.opencl.CL10.*;

import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.BackendProvider;
import dev.ember.backend.PrivateNatives;
import dev.ember.backend.gpu.GpuBackend;
import dev.ember.backend.gpu.JvmSignalHandlers;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;

/**
 * Starts the OpenCL backend: loads the OpenCL ICD loader through LWJGL ({@code libOpenCL.so},
 * else {@code libOpenCL.so.1}, which is all a runtime-only install has), lists every device of
 * every platform, and opens one {@link GpuBackend} over an {@link OpenClRuntime} per device. A missing loader or no
 * platform is reported as the reason the family is absent, never as a crash.
 */
public final class OpenClProvider implements BackendProvider {

    /** Found by {@link dev.ember.backend.Backends} through {@link java.util.ServiceLoader}. */
    public OpenClProvider() {}

    private static final System.Logger LOG = System.getLogger("dev.ember");

    @Override
    public String type() { return Device.OPENCL_TYPE; }

    @Override
    public String displayName() { return "OpenCL"; }

    @Override
    public int preference() { return 10; }

    @Override
    public List<Backend> start() {
        loadLibrary();
        List<Backend> backends = new ArrayList<>();
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            int rc = clGetPlatformIDs(null, count);
            if (rc == -1001 || (rc == CL_SUCCESS && count.get(0) == 0))
                throw new IllegalStateException("no OpenCL platform (an OpenCL loader is installed but no driver/ICD)");
            ClError.check(rc, "clGetPlatformIDs");
            PointerBuffer platforms = stack.mallocPointer(count.get(0));
            ClError.check(clGetPlatformIDs(platforms, (IntBuffer) null), "clGetPlatformIDs");
            for (int p = 0; p < platforms.capacity(); p++) {
                long platform = platforms.get(p);
                IntBuffer n = stack.mallocInt(1);
                rc = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, n);
                if (rc == CL_DEVICE_NOT_FOUND || n.get(0) == 0) continue;
                ClError.check(rc, "clGetDeviceIDs");
                PointerBuffer devices = stack.mallocPointer(n.get(0));
                ClError.check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, devices, (IntBuffer) null), "clGetDeviceIDs");
                for (int d = 0; d < devices.capacity(); d++) {
                    try {
                        backends.add(new GpuBackend<>(new OpenClRuntime(platform, devices.get(d)), Device.opencl(backends.size())));
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "ember: skipping an OpenCL device: " + e.getMessage());
                    }
                }
            }
        }
        if (backends.isEmpty()) throw new IllegalStateException("no OpenCL device (platforms found, but none has a usable device)");
        return backends;
    }

    private static boolean loaded;

    /** True when the application created LWJGL's OpenCL function provider itself. */
    private static boolean alreadyCreated() {
        try {
            return CL.getFunctionProvider() != null;
        } catch (IllegalStateException notLoaded) {
            return false;
        }
    }

    /** Loads the ICD loader once; the unversioned name exists only with the -dev package. */
    private static synchronized void loadLibrary() {
        if (loaded) return;
        JvmSignalHandlers.record(); // before any driver, and the LLVM inside it, is loaded
        // LWJGL unpacks liblwjgl.so from its jar into /tmp/lwjgl<user>/<version>/ by default, a path anyone
        // can create first; unless the application chose a path, it goes to Ember's private directory.
        if (Configuration.SHARED_LIBRARY_EXTRACT_PATH.get() == null)
            Configuration.SHARED_LIBRARY_EXTRACT_PATH.set(PrivateNatives.directory().toString());
        Configuration.OPENCL_EXPLICIT_INIT.set(true);
        if (alreadyCreated()) {
            loaded = true;
            return;
        }
        try {
            CL.create();
        } catch (Throwable first) {
            try {
                CL.create("libOpenCL.so.1");
            } catch (Throwable second) {
                throw new IllegalStateException("no OpenCL loader (libOpenCL.so / libOpenCL.so.1 not found: install an OpenCL ICD loader, e.g. ocl-icd-libopencl1)", second);
            }
        }
        loaded = true;
    }
}
