package dev.ember.distributed;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.nn.CrossEntropyLoss;
import dev.ember.nn.Module;
import dev.ember.optim.Adam;
import dev.ember.train.FashionMnistRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What each rank runs in the MPI tests ({@link MpiTest}), started by {@code mpirun} as a child
 * JVM: {@code collectives OUT}, {@code mlp STEPS GLOBAL_BATCH OUT [die-at STEP | stall-at STEP]}.
 * The same program without mpirun runs as one process (a {@link LocalProcessGroup}), which is the
 * single-process reference of the equality test.
 */
public final class RankProgram {
    private RankProgram() {}

    public static void main(String[] args) throws Exception {
        ProcessGroup group = ProcessGroups.init();
        try {
            switch (args[0]) {
                case "collectives" -> collectives(group, Path.of(args[1]));
                case "mlp" -> mlp(group, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]),
                        args.length > 5 ? args[4] : "", args.length > 5 ? Integer.parseInt(args[5]) : -1);
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        } catch (DistributedException e) {
            System.err.println("rank " + group.rank() + ": " + e.getMessage());
            System.err.flush();
            Runtime.getRuntime().halt(3); // the communication thread may be blocked in MPI: exit without finalising
        }
        group.close();
    }

    /** Checks each collective against values every rank can compute itself; writes "ok" lines. */
    private static void collectives(ProcessGroup g, Path out) throws IOException {
        int r = g.rank(), w = g.worldSize();
        List<String> lines = new ArrayList<>();
        Tensor t = Tensor.of(new float[]{r + 1, 10 * (r + 1), -r});
        g.allReduce(t);
        float tri = w * (w + 1) / 2f;
        expect(t.toFloatArray(), new float[]{tri, 10 * tri, -(w - 1) * w / 2f}, "allReduce SUM");
        Tensor m = Tensor.of(new double[]{r, -r});
        g.allReduce(m, ReduceOp.MAX);
        expect(m.toFloatArray(), new float[]{w - 1, 0}, "allReduce MAX");
        Tensor i64 = Tensor.of(new long[]{(long) r << 40});
        g.allReduce(i64, ReduceOp.MIN);
        if (i64.toLongArray()[0] != 0) throw new AssertionError("allReduce MIN INT64: " + i64.toLongArray()[0]);
        Tensor b = r == w - 1 ? Tensor.of(new int[]{7, 8, 9}, 3) : Tensor.zeros(DType.INT32, 3);
        g.broadcast(b, w - 1);
        if (!java.util.Arrays.equals(b.toIntArray(), new int[]{7, 8, 9})) throw new AssertionError("broadcast: " + b);
        List<Tensor> all = g.allGather(Tensor.full(r, 2, 2));
        for (int k = 0; k < w; k++) expect(all.get(k).toFloatArray(), new float[]{k, k, k, k}, "allGather part " + k);
        try (var arena = java.lang.foreign.Arena.ofShared()) {
            var seg = arena.allocate(4L * 1000);
            for (int k = 0; k < 1000; k++) seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, k, k * (r + 1));
            g.allReduceAsync(seg, DType.FLOAT32, ReduceOp.SUM).await();
            for (int k = 0; k < 1000; k++)
                if (seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, k) != k * tri) throw new AssertionError("allReduceAsync at " + k);
        }
        g.barrier();
        lines.add("ok rank " + r + " of " + w + " " + g.backendName());
        Files.write(out.resolveSibling(out.getFileName() + "." + r), lines);
    }

    private static void expect(float[] got, float[] want, String what) {
        if (!java.util.Arrays.equals(got, want))
            throw new AssertionError(what + ": got " + java.util.Arrays.toString(got) + ", want " + java.util.Arrays.toString(want));
    }

    /**
     * Trains the demo MLP ({@link FashionMnistRun#mlp()}) with Adam on the embedded Fashion-MNIST
     * subset for {@code steps} steps of {@code globalBatch} images shared out over the ranks, and
     * writes the global loss of each step (the mean over the whole global batch) to {@code out}
     * (rank 0), one per line, as Java's shortest exact double text.
     */
    private static void mlp(ProcessGroup g, int steps, int globalBatch, Path out, String fault, int faultStep) throws Exception {
        if (globalBatch % g.worldSize() != 0) throw new IllegalArgumentException("global batch must divide by the world size");
        Ember.manualSeed(7);
        TensorDataset data = FashionMnist.loadEmbedded().train();
        TensorDataset train = new TensorDataset(FashionMnist.normalize(data.inputs()), data.targets());
        Module model = FashionMnistRun.mlp();
        if (g.rank() != 0) Ember.manualSeed(1000 + g.rank()); // other ranks start elsewhere: DDP must broadcast rank 0's weights
        model = g.rank() == 0 ? model : FashionMnistRun.mlp();
        DistributedDataParallel ddp = new DistributedDataParallel(model, g, 0.25); // small buckets: several collectives per step
        Adam opt = new Adam(ddp.parameters(), 1e-3);
        DistributedSampler sampler = new DistributedSampler(train.size(), g, 11);
        DataLoader loader = DataLoader.builder(train).batchSize(globalBatch / g.worldSize()).sampler(sampler).dropLast(true).build();
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        List<String> losses = new ArrayList<>();
        Iterator<Batch> it = loader.iterator();
        for (int step = 0; step < steps; step++) {
            if (!it.hasNext()) it = loader.iterator();
            if (step == faultStep && g.rank() == 1) {
                if (fault.equals("die-at")) new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                if (fault.equals("stall-at")) Thread.sleep(Long.MAX_VALUE);
            }
            Batch b = it.next();
            Tensor loss = lossFn.forward(ddp.forward(b.inputs()), b.targets());
            opt.zeroGrad();
            loss.backward();
            opt.step();
            Tensor global = Tensor.of(new double[]{loss.item()});
            g.allReduce(global);
            losses.add(Double.toString(global.item() / g.worldSize()));
        }
        if (g.rank() == 0) Files.write(out, losses);
        ddp.close();
    }
}
