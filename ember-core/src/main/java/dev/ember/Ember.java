package dev.ember;

import dev.ember.autograd.GradMode;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.MemoryStats;
import dev.ember.backend.cpu.Parallel;
import java.util.Optional;

/**
 * Global settings: the random seed, grad mode, default device and dtype, CPU
 * threads and device memory. Grad mode is per thread; the rest is process-wide.
 */
public final class Ember {
    private Ember() {}

    /** The library's version. */
    public static final String VERSION = "0.1.0";

    private static volatile Device defaultDevice = Device.cpu();
    private static volatile DType defaultDType = DType.FLOAT32;
    private static volatile boolean fusedKernels = true;

    // ---- random ------------------------------------------------------------------------------

    /** Seeds the generator behind every random op; same seed, same numbers, on any thread count or device. */
    public static void manualSeed(long seed) { Generator.DEFAULT.manualSeed(seed); }

    /** The seed last set (or the default, 0x5EED). */
    public static long initialSeed() { return Generator.DEFAULT.seed(); }

    /** The default generator. */
    public static Generator generator() { return Generator.DEFAULT; }

    // ---- autograd ----------------------------------------------------------------------------

    /** A scope in which ops record no graph: {@code try (var ctx = Ember.noGrad()) { ... }}. */
    public static GradMode.Scope noGrad() { return GradMode.set(false); }

    /** A scope in which ops record the graph even inside {@link #noGrad()}. */
    public static GradMode.Scope enableGrad() { return GradMode.set(true); }

    public static boolean isGradEnabled() { return GradMode.isEnabled(); }

    // ---- tensor lifetimes --------------------------------------------------------------------

    /**
     * Opens a {@link TensorScope} on this thread: {@code try (var s = Ember.scope()) { ... }} releases
     * every tensor created inside it when it closes, except those kept ({@link TensorScope#keep}),
     * parameters, buffers, optimizer state and gradients.
     */
    public static TensorScope scope() { return TensorScope.open(); }

    /**
     * Runs {@code body} in a fresh scope and keeps what it returns: {@code Tensor y = Ember.scoped(() -> f(x));}
     * Every other tensor it created is released on return (the result's autograd graph too: call backward
     * inside a scope, not after it).
     */
    public static Tensor scoped(java.util.function.Supplier<Tensor> body) {
        try (TensorScope s = TensorScope.open()) {
            Tensor result = body.get();
            return result == null ? null : s.keep(result);
        }
    }

    // ---- mixed precision ---------------------------------------------------------------------

    /**
     * A scope of automatic mixed precision in {@code dtype} (FLOAT16 or BFLOAT16), as {@code torch.autocast}:
     * products and convolutions run in 16 bits, reductions, softmax, norms and losses in float32; see
     * {@link Autocast}. {@code try (var ac = Ember.autocast(DType.BFLOAT16)) { ... }}
     */
    public static Autocast autocast(DType dtype) { return Autocast.open(dtype); }

    // ---- defaults ----------------------------------------------------------------------------

    public static Device defaultDevice() { return defaultDevice; }

    /** The device on which creation functions ({@code zeros}, {@code randn}, ...) place tensors. */
    public static void setDefaultDevice(Device device) {
        Backends.of(device); // fails now, with the reason, if the device is absent
        defaultDevice = device;
    }

    public static DType defaultDType() { return defaultDType; }

    /** The floating-point dtype of creation functions and of float results of integer inputs. */
    public static void setDefaultDType(DType dtype) {
        if (!dtype.isFloatingPoint())
            throw new IllegalArgumentException("setDefaultDType: only a floating-point type can be the default, got " + dtype);
        defaultDType = dtype;
    }

    // ---- fused kernels ------------------------------------------------------------------------

    /** True (the default) when ops use a backend's fused kernels where it has them. */
    public static boolean fusedKernelsEnabled() { return fusedKernels; }

    /**
     * Whether ops use a backend's optional fused kernels (softmax, max pooling, optimizer steps) or
     * compose the same results from primitive kernels, as {@code torch.backends.*.enabled} switches a
     * library off. Process-wide; the backend contract suite runs both ways and compares them.
     */
    public static void setFusedKernelsEnabled(boolean enabled) { fusedKernels = enabled; }

    /** {@code backend}'s capability {@code type} when fused kernels are enabled. */
    static <T> Optional<T> fused(Backend backend, Class<T> type) {
        return fusedKernels ? backend.capability(type) : Optional.empty();
    }

    // ---- CPU threads and device memory -------------------------------------------------------

    public static int numThreads() { return Parallel.threads(); }

    /** Threads used by CPU kernels (default: {@code EMBER_NUM_THREADS}, else the number of cores). */
    public static void setNumThreads(int n) { Parallel.setThreads(n); }

    /** Allocator statistics of a device: allocated, reserved and peak bytes. */
    public static MemoryStats memoryStats(Device device) { return Backends.of(device).memoryStats(); }

    /** Returns a device's cached, unused blocks to the device (on the CPU: to the garbage collector). */
    public static void emptyCache(Device device) { Backends.of(device).emptyCache(); }

    /** Restarts a device's peak statistic from what is allocated now, as {@code torch.cuda.reset_peak_memory_stats}. */
    public static void resetPeakMemoryStats(Device device) { Backends.of(device).resetPeakMemoryStats(); }

    /** Waits for all queued work on a device. */
    public static void synchronize(Device device) { Backends.of(device).synchronize(); }
}
