package dev.ember.bench;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.distributed.ProcessGroup;
import dev.ember.distributed.ProcessGroups;
import dev.ember.distributed.ReduceOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * All-reduce bandwidth through Ember's MPI process group, in the style of OSU's
 * {@code osu_allreduce} and nccl-tests: for each size, the median time of a sum all-reduce of
 * FLOAT32, its algorithm bandwidth ({@code bytes / time}) and bus bandwidth ({@code algbw * 2(n-1)/n},
 * what each link carries in a ring). Rows {@code buffer} reduce a native buffer (what
 * DistributedDataParallel's buckets do); rows {@code tensor} reduce a heap tensor, including the
 * copies in and out. Run under mpirun: {@code mpirun -np 2 java ... dev.ember.bench.AllReduceBench [maxFloats]}
 * (benchmarks/dist/allreduce.sh does it, beside the C baseline).
 */
public final class AllReduceBench {
    private AllReduceBench() {}

    public static void main(String[] args) {
        int max = args.length > 0 ? Integer.parseInt(args[0]) : 4 << 20;
        try (ProcessGroup g = ProcessGroups.init(); Arena arena = Arena.ofShared()) {
            int n = g.worldSize();
            if (g.rank() == 0) System.out.printf("# %s, %d ranks%n# %-7s %10s %12s %10s %10s%n", g.backendName(), n, "what", "floats",
                    "median us", "algbw GB/s", "busbw GB/s");
            for (int count = 1024; count <= max; count *= 4) {
                MemorySegment buf = arena.allocate(4L * count, 64);
                int iters = Math.max(5, Math.min(200, (int) (200_000_000L / (4L * count) / 10)));
                double[] t = new double[iters];
                for (int warm = 0; warm < 3; warm++) g.allReduceAsync(buf, DType.FLOAT32, ReduceOp.SUM).await();
                for (int i = 0; i < iters; i++) {
                    g.barrier();
                    long t0 = System.nanoTime();
                    g.allReduceAsync(buf, DType.FLOAT32, ReduceOp.SUM).await();
                    t[i] = (System.nanoTime() - t0) / 1e9;
                }
                report(g, "buffer", count, t, n);
                Tensor x = Tensor.zeros(count);
                int titers = Math.max(3, iters / 4);
                double[] tt = new double[titers];
                g.allReduce(x);
                for (int i = 0; i < titers; i++) {
                    g.barrier();
                    long t0 = System.nanoTime();
                    g.allReduce(x);
                    tt[i] = (System.nanoTime() - t0) / 1e9;
                }
                report(g, "tensor", count, tt, n);
            }
        }
    }

    private static void report(ProcessGroup g, String what, int count, double[] secs, int n) {
        // the slowest rank's time is the collective's: take the max over ranks of each median
        double[] s = secs.clone();
        Arrays.sort(s);
        Tensor med = Tensor.of(new double[]{s[s.length / 2]});
        g.allReduce(med, ReduceOp.MAX);
        double m = med.item();
        double alg = 4.0 * count / m / 1e9;
        if (g.rank() == 0) System.out.printf("  %-7s %10d %12.1f %10.3f %10.3f%n", what, count, m * 1e6, alg, alg * 2 * (n - 1) / n);
    }
}
