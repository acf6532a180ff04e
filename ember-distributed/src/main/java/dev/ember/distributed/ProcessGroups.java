package dev.ember.distributed;

import dev.ember.Device;
import java.util.Map;

/**
 * Creates the process group a program runs in, from what its launcher put in the environment:
 * {@code mpirun} (Open MPI: {@code OMPI_COMM_WORLD_SIZE}/{@code _RANK}; MPICH, Intel MPI and
 * other PMI launchers: {@code PMI_SIZE}/{@code PMI_RANK}) or nothing (a single process).
 */
public final class ProcessGroups {
    private ProcessGroups() {}

    /** Seconds a collective may take before it fails: {@code EMBER_DIST_TIMEOUT}, else 600 (10 minutes, as NCCL's default). */
    public static double defaultTimeoutSeconds() { return timeoutFrom(System.getenv()); }

    static double timeoutFrom(Map<String, String> env) {
        String v = env.get("EMBER_DIST_TIMEOUT");
        if (v == null || v.isBlank()) return 600;
        try {
            double s = Double.parseDouble(v.strip());
            if (s > 0 && Double.isFinite(s)) return s;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("EMBER_DIST_TIMEOUT must be a positive number of seconds, got '" + v + "'");
    }

    /** The world size that a launcher announced in the environment, or 1 when none did. */
    public static int launchedWorldSize() { return launchedWorldSize(System.getenv()); }

    static int launchedWorldSize(Map<String, String> env) {
        for (String key : new String[]{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"}) {
            String v = env.get(key);
            if (v != null && !v.isBlank()) {
                try {
                    return Integer.parseInt(v.strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(key + " is not a number: '" + v + "'");
                }
            }
        }
        return 1;
    }

    /** This process's rank on its own host, as the launcher announced it (for choosing a GPU), or 0. */
    public static int launchedLocalRank() {
        for (String key : new String[]{"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "PMI_LOCAL_RANK"}) {
            String v = System.getenv(key);
            if (v != null && !v.isBlank()) return Integer.parseInt(v.strip());
        }
        return 0;
    }

    /**
     * The group this process belongs to: {@link MpiProcessGroup} when a launcher started more than
     * one rank, else a {@link LocalProcessGroup}.
     */
    public static ProcessGroup init() {
        return launchedWorldSize() > 1 ? MpiProcessGroup.init() : new LocalProcessGroup();
    }

    /**
     * The group to use for tensors on {@code device}: for CUDA, a {@link NcclProcessGroup} over
     * {@code host} where {@code libnccl.so.2} loads, otherwise {@code host} itself, which stages
     * device tensors through host memory (the reason is in {@link Nccl#unavailableReason()}).
     */
    public static ProcessGroup forDevice(Device device, ProcessGroup host) {
        if (!device.type().equals(Device.CUDA_TYPE) || host.worldSize() == 1) return host;
        if (!Nccl.isAvailable()) {
            System.err.println("distributed: NCCL unavailable (" + Nccl.unavailableReason() + "); CUDA tensors are staged through "
                    + "host memory over " + host.backendName());
            return host;
        }
        return NcclProcessGroup.create(host, device);
    }
}
