package dev.ember;

import dev.ember.backend.Backends;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a tensor's memory lives: the CPU, or one device of a backend. A device type is a name
 * ({@code "cpu"}, {@code "cuda"}, {@code "opencl"}, or whatever a backend module registers through
 * {@link dev.ember.backend.BackendProvider}), so a new backend needs no change here.
 *
 * @param type  the backend's name, lower case ({@code "cpu"}, {@code "cuda"}, ...)
 * @param index the device's index within its backend (0 for the CPU)
 */
public record Device(String type, int index) {

    /** The CPU backend's type name. */
    public static final String CPU_TYPE = "cpu";
    /** The CUDA backend's type name (module {@code ember-cuda}). */
    public static final String CUDA_TYPE = "cuda";
    /** The OpenCL backend's type name (module {@code ember-opencl}). */
    public static final String OPENCL_TYPE = "opencl";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    public Device {
        if (type == null || !NAME.matcher(type).matches())
            throw new IllegalArgumentException("Device: type must be a lower-case name such as 'cpu' or 'cuda', got "
                    + (type == null ? "null" : "'" + type + "'"));
        if (index < 0) throw new IllegalArgumentException("Device: index must be >= 0, got " + index);
        if (type.equals(CPU_TYPE) && index != 0) throw new IllegalArgumentException("Device: the CPU has index 0 only, got " + index);
    }

    private static final Device CPU = new Device(CPU_TYPE, 0);

    /** The CPU device. */
    public static Device cpu() { return CPU; }

    /** The first CUDA device. */
    public static Device cuda() { return cuda(0); }

    /** CUDA device {@code i}. */
    public static Device cuda(int i) { return new Device(CUDA_TYPE, i); }

    /** The OpenCL device chosen by default: {@code EMBER_OPENCL_DEVICE}, else the first GPU, else the first device. */
    public static Device opencl() { return new Device(OPENCL_TYPE, Backends.defaultOpenClIndex()); }

    /** OpenCL device {@code i}, in the order {@code ./ember devices} lists them. */
    public static Device opencl(int i) { return new Device(OPENCL_TYPE, i); }

    /** Device {@code index} of the backend named {@code type}. */
    public static Device of(String type, int index) { return new Device(type, index); }

    /** The fastest device present: a GPU of the most preferred backend (CUDA, then OpenCL), else the CPU. */
    public static Device best() { return Backends.best(); }

    /** True for the CPU. */
    public boolean isCpu() { return type.equals(CPU_TYPE); }

    /**
     * Parses {@code cpu}, {@code cuda}, {@code cuda:1}, {@code opencl}, {@code opencl:0}, {@code auto}, or
     * {@code TYPE[:INDEX]} of any backend on the class path; an unknown type is an error that lists the known ones.
     */
    public static Device parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto") || s.equals("best")) return best();
        String[] parts = s.split(":", 2);
        String type = parts[0];
        if (!Backends.types().contains(type))
            throw new IllegalArgumentException("Device.parse: unknown device '" + spec + "' (expected auto or one of "
                    + String.join(", ", Backends.types()) + ", optionally with :INDEX)");
        Integer idx = null;
        if (parts.length == 2) {
            try {
                idx = Integer.valueOf(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Device.parse: bad device index in '" + spec + "'");
            }
        }
        if (idx == null) return type.equals(OPENCL_TYPE) ? opencl() : new Device(type, 0);
        return new Device(type, idx);
    }

    @Override
    public String toString() { return isCpu() ? CPU_TYPE : type + ":" + index; }
}
