package dev.ember.train;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.distributed.DistributedDataParallel;
import dev.ember.distributed.DistributedException;
import dev.ember.distributed.DistributedSampler;
import dev.ember.distributed.LocalProcessGroup;
import dev.ember.distributed.ProcessGroup;
import dev.ember.distributed.ProcessGroups;
import dev.ember.distributed.ReduceOp;
import dev.ember.nn.CrossEntropyLoss;
import dev.ember.nn.Module;
import dev.ember.optim.Adam;
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
                case "trainer" -> trainer(group, Integer.parseInt(args[1]), Path.of(args[2]), args.length > 3 ? args[3] : "",
                        args.length > 4 ? Integer.parseInt(args[4]) : -1);
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

    /**
     * The Trainer with DDP, a distributed sampler, validation and checkpoints in {@code dir}, on
     * 1,024 embedded Fashion-MNIST images: writes each epoch's train loss, validation loss and
     * accuracy to {@code dir/epochs.txt} (rank 0). {@code resume} continues from
     * {@code dir/checkpoints/last.safetensors}; {@code die-at K} kills rank 1 at its K-th step.
     */
    private static void trainer(ProcessGroup g, int epochs, Path dir, String mode, int dieAt) throws Exception {
        Ember.manualSeed(3);
        TensorDataset all = FashionMnist.loadEmbedded().train();
        Tensor idx = Tensor.arange(0, 1024 + 256, 1);
        Tensor x = FashionMnist.normalize(all.inputs().indexSelect(0, idx)), y = all.targets().indexSelect(0, idx);
        TensorDataset train = new TensorDataset(x.narrow(0, 0, 1024), y.narrow(0, 0, 1024));
        TensorDataset val = new TensorDataset(x.narrow(0, 1024, 256), y.narrow(0, 1024, 256));
        DistributedDataParallel ddp = new DistributedDataParallel(FashionMnistRun.mlp(), g);
        Adam opt = new Adam(ddp.parameters(), 1e-3);
        DataLoader trainLoader = DataLoader.builder(train).batchSize(64 / g.worldSize())
                .sampler(new DistributedSampler(train.size(), g, 5)).build();
        DataLoader valLoader = DataLoader.builder(val).batchSize(100).sampler(DistributedSampler.unpadded(val.size(), g)).build();
        int[] steps = {0};
        CrossEntropyLoss ce = new CrossEntropyLoss();
        dev.ember.nn.Loss loss = (out, target) -> {
            if (++steps[0] == dieAt && g.rank() == 1) {
                try {
                    new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return ce.forward(out, target);
        };
        dev.ember.train.Trainer t = dev.ember.train.Trainer.builder(ddp, loss, opt, trainLoader)
                .validation(valLoader).metric(new dev.ember.metrics.Accuracy())
                .callback(new dev.ember.train.Checkpoint(dir.resolve("checkpoints"), 1, null, dev.ember.train.Mode.MAX))
                .output(System.out, false).distributed(g).build();
        if (mode.equals("resume")) t.resume(dir.resolve("checkpoints").resolve("last.safetensors"));
        t.fit(epochs);
        if (g.rank() == 0) {
            List<String> lines = new ArrayList<>();
            for (var r : t.history())
                lines.add(r.epoch() + " " + r.trainLoss() + " " + r.validation().get("val_loss") + " " + r.validation().get("val_accuracy"));
            Files.write(dir.resolve("epochs.txt"), lines);
        }
        ddp.close();
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
