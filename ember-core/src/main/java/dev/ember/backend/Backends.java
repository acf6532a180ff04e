package dev.ember.backend;

import dev.ember.Device;
import dev.ember.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Discovers the backends this machine has, once, and hands out the backend of a device.
 * The CPU is always there. Other backends are the {@link BackendProvider}s that {@link ServiceLoader}
 * finds (one per backend module on the class or module path); one that cannot start (no driver, no
 * library, no device) is recorded with its reason, logged in one line, and skipped.
 */
public final class Backends {
    private Backends() {}

    private static final System.Logger LOG = System.getLogger("dev.ember");

    /**
     * What discovery found for one backend family.
     *
     * @param type        the device type name ({@code "cpu"}, {@code "cuda"}, ...)
     * @param displayName how messages name it ({@code "CUDA"})
     * @param devices     one backend per device, empty when the family is unavailable
     * @param reason      why it is unavailable, empty when available
     */
    public record Family(String type, String displayName, List<Backend> devices, String reason) {
        public boolean available() { return !devices.isEmpty(); }
    }

    private static final Map<String, Family> FAMILIES = new HashMap<>();
    private static volatile Map<String, BackendProvider> providers;

    /** The backend of {@code device}; an {@link IllegalArgumentException} that says why when it is absent. */
    public static Backend of(Device device) {
        if (device.isCpu()) return CpuBackend.INSTANCE;
        Family f = family(device.type());
        if (!f.available())
            throw new IllegalArgumentException("device " + device + " is not available: " + f.reason());
        if (device.index() >= f.devices().size())
            throw new IllegalArgumentException("device " + device + " does not exist: " + device.type()
                    + " has " + f.devices().size() + " device(s)");
        return f.devices().get(device.index());
    }

    /** Discovery's result for a device type, starting that backend on first use. */
    public static synchronized Family family(String type) {
        return FAMILIES.computeIfAbsent(type, Backends::discover);
    }

    /** Every device type this build knows: {@code cpu}, then each provider's, most preferred first. */
    public static List<String> types() {
        List<String> out = new ArrayList<>();
        out.add(Device.CPU_TYPE);
        out.addAll(providers().keySet());
        return out;
    }

    /** Every family, in the order of {@link #types()}. */
    public static List<Family> all() {
        List<Family> out = new ArrayList<>();
        for (String t : types()) out.add(family(t));
        return out;
    }

    /** The providers {@link ServiceLoader} finds, by type, most preferred first; loaded once. */
    private static Map<String, BackendProvider> providers() {
        Map<String, BackendProvider> p = providers;
        if (p != null) return p;
        synchronized (Backends.class) {
            if (providers != null) return providers;
            List<BackendProvider> found = new ArrayList<>();
            for (var it = ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).iterator(); ; ) {
                try {
                    if (!it.hasNext()) break;
                    found.add(it.next());
                } catch (ServiceConfigurationError e) {
                    LOG.log(System.Logger.Level.DEBUG, "ember: a backend provider could not be loaded: " + e.getMessage());
                }
            }
            found.sort(Comparator.comparingInt(BackendProvider::preference).reversed().thenComparing(BackendProvider::type));
            Map<String, BackendProvider> byType = new LinkedHashMap<>();
            for (BackendProvider b : found) {
                if (b.type().equals(Device.CPU_TYPE) || byType.putIfAbsent(b.type(), b) != null)
                    LOG.log(System.Logger.Level.WARNING, "ember: ignoring a second backend provider for '" + b.type() + "': "
                            + b.getClass().getName());
            }
            providers = Collections.unmodifiableMap(byType);
            return providers;
        }
    }

    private static Family discover(String type) {
        if (type.equals(Device.CPU_TYPE)) return new Family(type, "CPU", List.of(CpuBackend.INSTANCE), "");
        BackendProvider provider = providers().get(type);
        String display = provider != null ? provider.displayName() : type;
        if (provider == null) return absent(type, display, "backend not included in this build (no ember-" + type
                + " module on the class or module path)");
        if (Boolean.getBoolean("ember.disable." + type) || "1".equals(System.getenv("EMBER_DISABLE_" + type.toUpperCase(Locale.ROOT))))
            return absent(type, display, "disabled by configuration");
        try {
            List<Backend> devices = provider.start();
            if (devices.isEmpty()) return absent(type, display, "no device found");
            for (Backend b : devices) LOG.log(System.Logger.Level.DEBUG, "ember: " + b.name());
            return new Family(type, display, List.copyOf(devices), "");
        } catch (Throwable t) {
            String why = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (t.getCause() != null && t.getCause().getMessage() != null && !why.contains(t.getCause().getMessage()))
                why += " (" + t.getCause().getMessage() + ")";
            return absent(type, display, why);
        }
    }

    private static Family absent(String type, String display, String reason) {
        LOG.log(System.Logger.Level.DEBUG, "ember: " + type + " backend unavailable: " + reason);
        return new Family(type, display, List.of(), reason);
    }

    /** The fastest device present: the first GPU of the most preferred backend (CUDA, then OpenCL), else the CPU. */
    public static Device best() {
        for (String t : providers().keySet()) {
            Family f = family(t);
            for (int i = 0; i < f.devices().size(); i++)
                if (isGpu(f.devices().get(i))) return Device.of(t, i);
        }
        return Device.cpu();
    }

    /** Why {@link #best()} chose what it chose, in one line. */
    public static String bestReason() {
        List<String> skipped = new ArrayList<>();
        for (String t : providers().keySet()) {
            Family f = family(t);
            for (int i = 0; i < f.devices().size(); i++)
                if (isGpu(f.devices().get(i))) {
                    String found = f.displayName() + " GPU found: " + f.devices().get(i).name();
                    return skipped.isEmpty() ? found : String.join("; ", skipped) + "; " + found;
                }
            skipped.add(f.available() ? f.displayName() + " has no GPU, only " + f.devices().getFirst().name()
                    : "no " + f.displayName() + " (" + f.reason() + ")");
        }
        skipped.add("using " + CpuBackend.INSTANCE.name());
        return String.join("; ", skipped);
    }

    private static boolean isGpu(Backend b) { return b instanceof GpuInfo g && g.isGpu(); }

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
        Family cl = family(Device.OPENCL_TYPE);
        for (int i = 0; i < cl.devices().size(); i++)
            if (isGpu(cl.devices().get(i))) return i;
        return 0;
    }

    /** Implemented by GPU backends so the device listing and {@link #best()} can describe them. */
    public interface GpuInfo {
        boolean isGpu();

        /** Global memory in bytes. */
        long totalMemory();
    }
}
