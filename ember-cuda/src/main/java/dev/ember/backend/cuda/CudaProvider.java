package dev.ember.backend.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;

import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.BackendProvider;
import dev.ember.backend.gpu.GpuBackend;
import dev.ember.backend.gpu.JvmSignalHandlers;
import java.util.ArrayList;
import java.util.List;
import jcuda.driver.JCudaDriver;

/**
 * Starts the CUDA backend: loads the driver through JCuda, finds the devices and opens the shared
 * {@link GpuBackend} over a {@link CudaRuntime} on each. The probe runs once per process; any failure (no
 * {@code libcuda.so.1}, no device, neither NVRTC nor packaged PTX) becomes a one-line reason, never a crash.
 */
public final class CudaProvider implements BackendProvider {

    private static List<Backend> started;
    private static String failure;

    /** Found by {@code Backends} through {@link java.util.ServiceLoader}. */
    public CudaProvider() {}

    @Override
    public String type() { return Device.CUDA_TYPE; }

    @Override
    public String displayName() { return "CUDA"; }

    @Override
    public int preference() { return 20; }

    @Override
    public List<Backend> start() {
        synchronized (CudaProvider.class) {
            if (started == null && failure == null) probe();
            if (failure != null) throw new CudaUnavailableException(failure);
            return started;
        }
    }

    private static void probe() {
        try {
            JvmSignalHandlers.record(); // before the driver and NVRTC, whose compiler is LLVM-based, are loaded
            JCudaNatives.load("JCudaDriver", () -> JCudaDriver.setExceptionsEnabled(true));
            cuInit(0);
            int[] count = new int[1];
            cuDeviceGetCount(count);
            if (count[0] == 0) throw new IllegalStateException("CUDA_ERROR_NO_DEVICE");
            List<Backend> devices = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) devices.add(new GpuBackend<>(new CudaRuntime(i), Device.cuda(i)));
            started = List.copyOf(devices);
        } catch (Throwable t) {
            failure = CudaProbe.explain(t);
            System.getLogger("dev.ember").log(System.Logger.Level.DEBUG, "ember: CUDA probe failed", t);
        }
    }

    /** Why CUDA is unavailable, as one line; carries no cause so the reason stays one line. */
    static final class CudaUnavailableException extends IllegalStateException {
        CudaUnavailableException(String reason) { super(reason); }
    }
}
