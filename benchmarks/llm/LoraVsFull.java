import dev.ember.*;
import dev.ember.backend.MemoryStats;
import dev.ember.llm.tune.*;
import dev.ember.nn.lm.*;
import dev.ember.optim.AdamW;
import java.util.*;

/**
 * Full fine-tuning against LoRA on the same random GPT: the CPU allocator's bytes ({@link MemoryStats}: held by live
 * tensors between steps, and the peak during a step), live heap (after a full GC) with the step's graph alive and
 * once it is gone, and the mean step time. Arguments: full|lora|ab, steps, width, layers, batch (rows of 128 tokens);
 * {@code ab} times a full and a LoRA step alternately in one process (step time only).
 *
 * <p>Run with the shaded jar and JDK 25: {@code $JAVA_HOME/bin/java --add-modules jdk.incubator.vector -Xmx2g -cp
 * ember-cli/target/ember-cli-0.1.0-SNAPSHOT-all.jar benchmarks/llm/LoraVsFull.java lora 8 512 4 4}
 */
public class LoraVsFull {
    static long liveHeap() {
        for (int i = 0; i < 3; i++) System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static void step(CausalLm lm, SftLoss loss, AdamW opt, Tensor x, Tensor y, long[] live) {
        Tensor l = loss.forward(lm.forward(x), y);
        if (live != null) live[0] = liveHeap();
        opt.zeroGrad();
        l.backward();
        if (live != null) live[1] = liveHeap();
        opt.step();
    }

    /** One method's model, trainable parameters and optimizer on the same random GPT. */
    record Setup(GPT gpt, dev.ember.nn.Module adapter, List<Tensor> params, CausalLm lm, AdamW opt) {
        static Setup of(String method, int width, int layers) {
            Ember.manualSeed(0);
            try (var init = Ember.scope()) { // parameters escape; the initialisers' temporaries are released, not counted
                GPT gpt = new GPT(GPTConfig.builder(512).contextLength(128).layers(layers).width(width).heads(4).build());
                gpt.train();
                List<Tensor> params = gpt.parameters();
                dev.ember.nn.Module adapter = null;
                if (method.equals("lora")) {
                    var ad = LoraAdapter.attach(gpt, LoraConfig.of(16, 32, 0, "c_attn", "c_proj", "c_fc"));
                    adapter = ad;
                    params = ad.parameters();
                } else if (!method.equals("full")) {
                    throw new IllegalArgumentException("method: full, lora or ab, got " + method);
                }
                return new Setup(gpt, adapter, params, new CausalLm(gpt, adapter), AdamW.builder(1e-4).buildW(params));
            }
        }
    }

    /** {@code batch} rows of 128 random tokens: inputs {@code [batch, 3, 128]} (ids, positions, segments), targets. */
    static Tensor[] batch(int batch) {
        long[] ids = new long[batch * 3 * 128], tg = new long[batch * 128];
        Random r = new Random(1);
        for (int b = 0; b < batch; b++) for (int t = 0; t < 128; t++) {
            ids[(b * 3) * 128 + t] = r.nextInt(512);
            ids[(b * 3 + 1) * 128 + t] = t;
            ids[(b * 3 + 2) * 128 + t] = 1;
            tg[b * 128 + t] = r.nextInt(512);
        }
        return new Tensor[]{Tensor.of(ids, batch, 3, 128), Tensor.of(tg, batch, 128)};
    }

    /**
     * Step time only, A/B in one process: a full and a LoRA step alternately, so that both see the same load (on a
     * shared machine separate runs do not); prints each method's median step.
     */
    static void ab(int steps, int width, int layers, int batch) {
        Setup full = Setup.of("full", width, layers), lora = Setup.of("lora", width, layers);
        Tensor[] xy = batch(batch);
        var loss = new SftLoss();
        double[][] ms = new double[2][steps];
        for (int s = 0; s < steps + 3; s++) {
            for (int k = 0; k < 2; k++) {
                Setup m = k == 0 ? full : lora;
                long t = System.nanoTime();
                try (var scope = Ember.scope()) {
                    step(m.lm(), loss, m.opt(), xy[0], xy[1], null);
                }
                if (s >= 3) ms[k][s - 3] = (System.nanoTime() - t) / 1e6;
            }
        }
        for (double[] m : ms) Arrays.sort(m);
        System.out.printf("A/B width %d layers %d batch %d, %d alternating steps each: median full %.0f ms, LoRA %.0f ms (LoRA/full %.2f)%n", width,
                layers, batch, steps, ms[0][steps / 2], ms[1][steps / 2], ms[1][steps / 2] / ms[0][steps / 2]);
    }

    public static void main(String[] a) {
        String method = a[0];
        int steps = Integer.parseInt(a[1]);
        int width = Integer.parseInt(a[2]), layers = Integer.parseInt(a[3]), batch = Integer.parseInt(a[4]);
        if (method.equals("ab")) {
            ab(steps, width, layers, batch);
            return;
        }
        Setup setup = Setup.of(method, width, layers);
        GPT gpt = setup.gpt();
        List<Tensor> params = setup.params();
        dev.ember.nn.Module adapter = setup.adapter();
        var lm = setup.lm();
        var opt = setup.opt();
        Tensor[] xy = batch(batch);
        Tensor x = xy[0], y = xy[1];
        var loss = new SftLoss();
        long weights = Ember.memoryStats(Device.cpu()).allocated();
        long t0 = 0;
        long[] live = new long[3];
        long between = 0, peak = 0; // allocator bytes: held between steps (weights, gradients, AdamW state), peak in a step
        for (int s = 0; s < steps + 3; s++) {
            if (s == 3) t0 = System.nanoTime();
            if (s >= 2) Ember.resetPeakMemoryStats(Device.cpu());
            try (var scope = Ember.scope()) { // releases the step's activations and graph, as the Trainer does
                step(lm, loss, opt, x, y, s == 1 ? live : null);
            }
            if (s == 1) live[2] = liveHeap();
            if (s >= 2) { // step 1 measured live heap (full GCs); later steps are timed and read the allocator
                MemoryStats m = Ember.memoryStats(Device.cpu());
                between = Math.max(between, m.allocated());
                peak = Math.max(peak, m.peak());
            }
        }
        System.out.printf("%s width %d layers %d batch %d: CPU allocator: %.1f MiB before training (weights, batch), %.1f MiB in use "
                + "between steps, %.1f MiB peak in a step%n", method, width, layers, batch, weights / 1048576.0, between / 1048576.0, peak / 1048576.0);
        System.out.printf("%s width %d layers %d batch %d: live heap after forward %.1f MiB, after backward %.1f MiB, after the step, graph gone %.1f MiB; %.0f ms/step over %d steps; %,d of %,d parameters trainable%n", method, width, layers, batch, live[0] / 1048576.0, live[1] / 1048576.0, live[2] / 1048576.0, (System.nanoTime() - t0) / 1e6 / steps, steps,
                params.stream().mapToLong(Tensor::numel).sum(), gpt.parameterCount() + (adapter == null ? 0 : adapter.parameterCount()));
    }
}
