package dev.ember.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Group selection from the environment, the MPI flavour check, NCCL's probe and fallback, host staging. */
class ProcessGroupsTest {

    @Test
    void worldSizeAndTimeoutComeFromTheLaunchersEnvironment() {
        assertEquals(1, ProcessGroups.launchedWorldSize(Map.of()));
        assertEquals(4, ProcessGroups.launchedWorldSize(Map.of("OMPI_COMM_WORLD_SIZE", "4")));
        assertEquals(3, ProcessGroups.launchedWorldSize(Map.of("PMI_SIZE", "3")), "MPICH's Hydra");
        assertThrows(IllegalArgumentException.class, () -> ProcessGroups.launchedWorldSize(Map.of("PMI_SIZE", "x")));
        assertEquals(600, ProcessGroups.timeoutFrom(Map.of()));
        assertEquals(2.5, ProcessGroups.timeoutFrom(Map.of("EMBER_DIST_TIMEOUT", "2.5")));
        var e = assertThrows(IllegalArgumentException.class, () -> ProcessGroups.timeoutFrom(Map.of("EMBER_DIST_TIMEOUT", "-1")));
        assertTrue(e.getMessage().contains("EMBER_DIST_TIMEOUT"));
    }

    @Test
    void mpiFlavourIsReadFromTheLibraryAndOthersAreRejected() {
        assertEquals(MpiLibrary.Flavor.OPEN_MPI, MpiLibrary.detect(true, "Open MPI v4.1.4, package: Debian OpenMPI"));
        assertEquals(MpiLibrary.Flavor.MPICH, MpiLibrary.detect(false, "MPICH Version:\t4.0.2"));
        assertEquals(MpiLibrary.Flavor.MPICH, MpiLibrary.detect(false, "Intel(R) MPI Library 2021.6 for Linux* OS"));
        assertEquals(null, MpiLibrary.detect(false, "Microsoft MPI 10.1"));
    }

    @Test
    void aLibraryThatIsNotMpiIsRejectedWithItsName() {
        // libc opens fine but has no MPI_Get_library_version
        var lookup = java.lang.foreign.SymbolLookup.libraryLookup("libc.so.6", Arena.global());
        var e = assertThrows(DistributedException.class, () -> MpiLibrary.open("libc.so.6", lookup));
        assertTrue(e.getMessage().contains("libc.so.6") && e.getMessage().contains("MPI-3"), e.getMessage());
    }

    @Test
    void ncclProbeOfAMissingLibrarySaysWhyAndNeverThrows() {
        var probe = Nccl.probe("libnccl-does-not-exist.so.2");
        assertEquals(null, probe.nccl());
        assertTrue(probe.reason().contains("libnccl-does-not-exist.so.2"), probe.reason());
        var notNccl = Nccl.probe("libc.so.6"); // loads, but lacks NCCL's symbols
        assertEquals(null, notNccl.nccl());
        assertTrue(notNccl.reason().contains("ncclGetUniqueId"), notNccl.reason());
    }

    @Test
    void cudaTensorsFallBackToTheHostGroupWhereNcclIsAbsent() {
        ProcessGroup host = new DistributedDataParallelTest.PeerGroup(); // a world of 2
        if (!Nccl.isAvailable()) {
            assertSame(host, ProcessGroups.forDevice(Device.cuda(), host), "host staging through MPI");
            assertNotNull(Nccl.unavailableReason());
        }
        assertSame(host, ProcessGroups.forDevice(Device.cpu(), host), "CPU tensors always use the host group");
        LocalProcessGroup one = new LocalProcessGroup();
        assertSame(one, ProcessGroups.forDevice(Device.cuda(), one), "one rank needs no NCCL");
    }

    @Test
    void ncclUniqueIdSurvivesTheTripThroughAnIntTensor() {
        byte[] id = new byte[128];
        for (int i = 0; i < id.length; i++) id[i] = (byte) (i * 37 - 100);
        assertArrayEquals(id, NcclProcessGroup.toBytes(NcclProcessGroup.toInts(id)));
    }

    @Test
    void hostStagingRoundTripsEveryDtypeAndStridedViews() {
        try (Arena a = Arena.ofConfined()) {
            Tensor f = Tensor.arange(0.0, 12.0, 1.0).reshape(3, 4).transpose(0, 1); // non-contiguous
            MemorySegment s = HostStaging.toSegment(f, a);
            assertArrayEquals(f.contiguous().toFloatArray(), HostStaging.fromSegment(s, 0, DType.FLOAT32, f.shape()).toFloatArray());
            Tensor target = Tensor.zeros(4, 3);
            HostStaging.copyBack(s, target);
            assertArrayEquals(f.contiguous().toFloatArray(), target.toFloatArray());
            for (Tensor t : List.of(Tensor.of(new double[]{1.5, -2}), Tensor.of(new int[]{3, -4}), Tensor.of(new long[]{1L << 40}),
                    Tensor.of(new boolean[]{true, false, true}))) {
                MemorySegment seg = HostStaging.toSegment(t, a);
                assertEquals(t.toString(), HostStaging.fromSegment(seg, 0, t.dtype(), t.shape()).toString());
            }
        }
    }

    @Test
    void theLocalGroupIsTheIdentityAndRefusesUseAfterClose() {
        LocalProcessGroup g = new LocalProcessGroup();
        Tensor t = Tensor.of(new float[]{1, 2});
        g.allReduce(t);
        g.broadcast(t, 0);
        assertArrayEquals(new float[]{1, 2}, t.toFloatArray());
        assertEquals(1, g.allGather(t).size());
        assertThrows(IllegalArgumentException.class, () -> g.broadcast(t, 1));
        g.close();
        assertThrows(IllegalStateException.class, g::barrier);
    }

    @Test
    void gatherRowsJoinsUnevenShardsInRankOrder() {
        // two simulated ranks that hold 3 and 1 rows: rank 1's view, where rank 0's rows are [9, 9, 9]
        ProcessGroup g = new DistributedDataParallelTest.PeerGroup() {
            @Override
            public List<Tensor> allGather(Tensor tensor) {
                Tensor peer = tensor.dtype() == DType.INT64 ? Tensor.of(new long[]{3}) : Tensor.full(9, 3, 2);
                return List.of(peer, tensor.clone());
            }
        };
        Tensor mine = Tensor.of(new float[]{1, 2}, 1, 2);
        Tensor all = Collectives.gatherRows(g, mine);
        assertArrayEquals(new long[]{4, 2}, all.shape());
        assertArrayEquals(new float[]{9, 9, 9, 9, 9, 9, 1, 2}, all.toFloatArray());
        assertFalse(all.requiresGrad());
    }
}
