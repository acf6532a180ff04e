package dev.ember;

import dev.ember.backend.Backends;

/**
 * Where a tensor's memory lives: the CPU, or one device of a GPU backend.
 *
 * @param kind  the backend family
 * @param index the device's index within its backend (0 for the CPU)
 */
public record Device(Kind kind, int index) {

    /** Backend families. */
    public enum Kind { CPU, CUDA, OPENCL }

    public Device {
        if (kind == null) throw new IllegalArgumentException("Device: kind must not be null");
        if (index < 0) throw new IllegalArgumentException("Device: index must be >= 0, got " + index);
    }

    private static final Device CPU = new Device(Kind.CPU, 0);

    /** The CPU device. */
    public static Device cpu() { return CPU; }

    /** The first CUDA device. */
    public static Device cuda() { return cuda(0); }

    /** CUDA device {@code i}. */
    public static Device cuda(int i) { return new Device(Kind.CUDA, i); }

    /** The OpenCL device chosen by default: {@code EMBER_OPENCL_DEVICE}, else the first GPU, else the first device. */
    public static Device opencl() { return new Device(Kind.OPENCL, Backends.defaultOpenClIndex()); }

    /** OpenCL device {@code i}, in the order {@code ./ember devices} lists them. */
    public static Device opencl(int i) { return new Device(Kind.OPENCL, i); }

    /** The fastest device present: a CUDA GPU, else an OpenCL GPU, else the CPU. */
    public static Device best() { return Backends.best(); }

    /**
     * Parses {@code cpu}, {@code cuda}, {@code cuda:1}, {@code opencl}, {@code opencl:0} or {@code auto}.
     */
    public static Device parse(String spec) {
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("auto") || s.equals("best")) return best();
        String[] parts = s.split(":", 2);
        Integer idx = parts.length == 2 ? Integer.valueOf(parts[1]) : null;
        return switch (parts[0]) {
            case "cpu" -> cpu();
            case "cuda" -> idx == null ? cuda() : cuda(idx);
            case "opencl" -> idx == null ? opencl() : opencl(idx);
            default -> throw new IllegalArgumentException(
                    "Device.parse: unknown device '" + spec + "' (expected cpu, cuda[:i], opencl[:i] or auto)");
        };
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + index;
    }
}
