package dev.ember.backend;

import dev.ember.Device;
import dev.ember.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Discovers the backends this machine has, once, and hands out the backend of a device.
 * The CPU is always there. A GPU family that cannot start (no driver, no library, no
 * device) is recorded with its reason, logged in one line, and skipped.
 */
public final class Backends {
    private Backends() {}

    private static final System.Logger LOG = System.getLogger("dev.ember");

    /** What discovery found for one backend family. */
    public record Family(Device.Kind kind, List<Backend> devices, String reason) {
        public boolean available() { return !devices.isEmpty(); }
    }

    private static final Map<Device.Kind, Family> FAMILIES = new EnumMap<>(Device.Kind.class);

    /** The backend of {@code device}; an {@link IllegalArgumentException} that says why when it is absent. */
    public static Backend of(Device device) {
        if (device.kind() == Device.Kind.CPU) return CpuBackend.INSTANCE;
        Family f = family(device.kind());
        if (!f.available())
            throw new IllegalArgumentException("device " + device + " is not available: " + f.reason());
        if (device.index() >= f.devices().size())
            throw new IllegalArgumentException("device " + device + " does not exist: " + device.kind().name().toLowerCase()
                    + " has " + f.devices().size() + " device(s)");
        return f.devices().get(device.index());
    }

    /** Discovery's result for a family, starting it on first use. */
    public static synchronized Family family(Device.Kind kind) {
        return FAMILIES.computeIfAbsent(kind, Backends::discover);
    }

    /** Every family, in the order CPU, CUDA, OpenCL. */
    public static List<Family> all() {
        List<Family> out = new ArrayList<>();
        for (Device.Kind k : Device.Kind.values()) out.add(family(k));
        return out;
    }

    private static Family discover(Device.Kind kind) {
        if (kind == Device.Kind.CPU) return new Family(kind, List.of(CpuBackend.INSTANCE), "");
        if (Boolean.getBoolean("ember.disable." + kind.name().toLowerCase())
                || "1".equals(System.getenv("EMBER_DISABLE_" + kind.name())))
            return absent(kind, "disabled by configuration");
        BackendProvider provider = provider(kind);
        if (provider == null) return absent(kind, "backend not included in this build (no ember-"
                + kind.name().toLowerCase(Locale.ROOT) + " module on the class or module path)");
        try {
            List<Backend> devices = provider.start();
            if (devices.isEmpty()) return absent(kind, "no device found");
            for (Backend b : devices) LOG.log(System.Logger.Level.DEBUG, "ember: " + b.name());
            return new Family(kind, List.copyOf(devices), "");
        } catch (Throwable t) {
            String why = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (t.getCause() != null && t.getCause().getMessage() != null && !why.contains(t.getCause().getMessage()))
                why += " (" + t.getCause().getMessage() + ")";
            return absent(kind, why);
        }
    }

    /**
     * The provider of {@code kind} among those {@link ServiceLoader} finds (each backend module declares
     * one), or null. Providers must not touch native code until {@link BackendProvider#start()}.
     */
    private static BackendProvider provider(Device.Kind kind) {
        for (var it = ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).iterator(); ; ) {
            BackendProvider p;
            try {
                if (!it.hasNext()) return null;
                p = it.next();
            } catch (ServiceConfigurationError e) {
                LOG.log(System.Logger.Level.DEBUG, "ember: a backend provider could not be loaded: " + e.getMessage());
                continue;
            }
            if (p.kind() == kind) return p;
        }
    }

    private static Family absent(Device.Kind kind, String reason) {
        LOG.log(System.Logger.Level.DEBUG, "ember: " + kind.name().toLowerCase() + " backend unavailable: " + reason);
        return new Family(kind, List.of(), reason);
    }

    /** The fastest device present: CUDA, else an OpenCL GPU, else the CPU. */
    public static Device best() {
        if (family(Device.Kind.CUDA).available()) return Device.cuda(0);
        Family cl = family(Device.Kind.OPENCL);
        for (int i = 0; i < cl.devices().size(); i++)
            if (cl.devices().get(i) instanceof GpuInfo g && g.isGpu()) return Device.opencl(i);
        return Device.cpu();
    }

    /** Why {@link #best()} chose what it chose, in one line. */
    public static String bestReason() {
        Device d = best();
        if (d.kind() == Device.Kind.CUDA) return "CUDA device found: " + of(d).name();
        if (d.kind() == Device.Kind.OPENCL) return "no CUDA (" + family(Device.Kind.CUDA).reason() + "); OpenCL GPU found: " + of(d).name();
        Family cl = family(Device.Kind.OPENCL);
        String clWhy = cl.available() ? "OpenCL has no GPU, only " + cl.devices().get(0).name() : "no OpenCL (" + cl.reason() + ")";
        return "no CUDA (" + family(Device.Kind.CUDA).reason() + "); " + clWhy + "; using " + CpuBackend.INSTANCE.name();
    }

    /** {@code EMBER_OPENCL_DEVICE}, else the first OpenCL GPU, else 0. */
    public static int defaultOpenClIndex() {
        String env = System.getenv("EMBER_OPENCL_DEVICE");
        if (env != null && !env.isBlank()) {
            try {
                return Integer.parseInt(env.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("EMBER_OPENCL_DEVICE must be a device index, got '" + env + "'");
            }
        }
        Family cl = family(Device.Kind.OPENCL);
        for (int i = 0; i < cl.devices().size(); i++)
            if (cl.devices().get(i) instanceof GpuInfo g && g.isGpu()) return i;
        return 0;
    }

    /** Implemented by GPU backends so the device listing and {@link #best()} can describe them. */
    public interface GpuInfo {
        boolean isGpu();

        /** Global memory in bytes. */
        long totalMemory();
    }
}
