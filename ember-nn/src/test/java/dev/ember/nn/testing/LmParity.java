package dev.ember.nn.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.autograd.GradCheck;
import dev.ember.nn.GRU;
import dev.ember.nn.LSTM;
import dev.ember.nn.Module;
import dev.ember.nn.MultiheadAttention;
import dev.ember.nn.RMSNorm;
import dev.ember.nn.RNNBase;
import dev.ember.nn.RotaryEmbedding;
import dev.ember.nn.SwiGLU;
import dev.ember.nn.TransformerEncoderLayer;
import dev.ember.nn.TransformerOptions;
import dev.ember.nn.functional.F;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import dev.ember.optim.AdamW;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The language-model ops and modules on another device against the CPU, shared by the OpenCL (PoCL) and CUDA
 * (emulated or real) suites: attention forward and backward, float64 gradient checks on the device, the sequence
 * modules, and a GPT's training loss curve.
 */
public final class LmParity {
    private LmParity() {}

    /** Compares {@code |a - b| <= rtol * max(|a|, 1e-3 scale)} elementwise, with the scale of the largest CPU value. */
    public static void assertClose(String what, double[] cpu, double[] dev, double rtol) {
        assertEquals(cpu.length, dev.length, what + ": size");
        double scale = 1e-3;
        for (double v : cpu) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < cpu.length; i++)
            assertTrue(Math.abs(cpu[i] - dev[i]) <= rtol * scale, what + ": element " + i + " cpu " + cpu[i] + " device " + dev[i]);
    }

    /** Runs {@code program} on leaf copies of {@code inputs} on the CPU and on {@code dev}; compares the output and every input gradient. */
    public static void samePrograms(Device dev, String what, java.util.function.Function<Tensor[], Tensor> program, double rtol, Tensor... inputs) {
        double[][] outs = new double[2][];
        double[][][] grads = new double[2][inputs.length][];
        Device[] devices = {Device.cpu(), dev};
        for (int d = 0; d < 2; d++) {
            Tensor[] leaves = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                leaves[i] = inputs[i].to(devices[d]).detach();
                if (inputs[i].dtype().isFloatingPoint()) leaves[i].requiresGrad(true);
            }
            Tensor out = program.apply(leaves);
            assertEquals(devices[d], out.device(), what + ": output device");
            outs[d] = out.toDoubleArray();
            out.mul(Tensor.of(weights(out.numel())).reshape(out.shape()).to(out.dtype()).to(devices[d])).sum().backward();
            for (int i = 0; i < inputs.length; i++)
                if (leaves[i].requiresGrad()) {
                    assertNotNull(leaves[i].grad(), what + ": input " + i + " has no gradient on " + devices[d]);
                    grads[d][i] = leaves[i].grad().toDoubleArray();
                }
        }
        assertClose(what + " forward", outs[0], outs[1], rtol);
        for (int i = 0; i < inputs.length; i++)
            if (grads[0][i] != null) assertClose(what + " grad of input " + i, grads[0][i], grads[1][i], rtol);
    }

    private static double[] weights(long n) {
        Random r = new Random(99);
        double[] w = new double[(int) n];
        for (int i = 0; i < w.length; i++) w[i] = r.nextDouble() * 2 - 1;
        return w;
    }

    /** Scaled dot-product attention with masks, causal, broadcast keys and a strided query, against the CPU. */
    public static void attention(Device dev) {
        Ember.manualSeed(31);
        Tensor q = Tensor.randn(2, 3, 5, 4), k = Tensor.randn(2, 3, 7, 4), v = Tensor.randn(2, 3, 7, 6);
        Tensor pad = Tensor.of(new boolean[]{true, true, true, true, true, false, false, true, true, true, true, true, true, true}, 2, 1, 1, 7);
        samePrograms(dev, "attention", in -> F.scaledDotProductAttention(in[0], in[1], in[2]), 1e-4, q, k, v);
        samePrograms(dev, "attention, padding and causal", in -> F.scaledDotProductAttention(in[0], in[1], in[2], pad.to(in[0].device()), 0, true),
                1e-4, q, k, v);
        Tensor additive = Tensor.randn(5, 7);
        samePrograms(dev, "attention, transposed query, float mask", in -> F.scaledDotProductAttention(in[0].transpose(2, 3).contiguous()
                .transpose(2, 3), in[1], in[2], additive.to(in[0].device()), 0, false, 0.4), 1e-4, q, k, v);
        samePrograms(dev, "attention, keys shared by heads", in -> F.scaledDotProductAttention(in[0], in[1], in[2]), 1e-4,
                q, Tensor.randn(2, 1, 7, 4), Tensor.randn(2, 1, 7, 3));
        // dropout draws from the same counter-based stream on every device
        samePrograms(dev, "attention with dropout", in -> {
            Ember.manualSeed(8);
            return F.scaledDotProductAttention(in[0], in[1], in[2], null, 0.3, false);
        }, 1e-4, q, k, v);
    }

    /**
     * A few small attention calls against the CPU, for devices where every kernel is slow (the emulated CUDA device
     * runs each GPU thread as a host thread): padding with causal, dropout, keys shared by heads.
     */
    public static void attentionQuick(Device dev) {
        Ember.manualSeed(36);
        Tensor q = Tensor.randn(2, 2, 3, 4), k = Tensor.randn(2, 2, 4, 4), v = Tensor.randn(2, 2, 4, 3);
        Tensor pad = Tensor.of(new boolean[]{true, true, true, false, true, true, true, true}, 2, 1, 1, 4);
        samePrograms(dev, "attention, padding and causal", in -> F.scaledDotProductAttention(in[0], in[1], in[2], pad.to(in[0].device()), 0, true),
                1e-4, q, k, v);
        samePrograms(dev, "attention with dropout, shared keys", in -> {
            Ember.manualSeed(8);
            return F.scaledDotProductAttention(in[0], in[1], in[2], null, 0.3, false);
        }, 1e-4, q, Tensor.randn(2, 1, 4, 4), Tensor.randn(2, 1, 4, 3));
    }

    /** Float64 gradient checks of attention on the device (finite differences computed there too); {@code s} keys. */
    public static void attentionGradients(Device dev) { attentionGradients(dev, 3, 5); }

    /** As {@link #attentionGradients(Device)} with {@code l} queries and {@code s} keys (small for slow devices). */
    public static void attentionGradients(Device dev, int l, int s) {
        Ember.manualSeed(32);
        Tensor q = Tensor.randn(1, 2, l, 4).to(DType.FLOAT64).to(dev).requiresGrad(true);
        Tensor k = Tensor.randn(1, 2, s, 4).to(DType.FLOAT64).to(dev).requiresGrad(true);
        Tensor v = Tensor.randn(1, 2, s, 3).to(DType.FLOAT64).to(dev).requiresGrad(true);
        boolean[] keep = new boolean[s];
        java.util.Arrays.fill(keep, true);
        keep[s / 2] = false;
        Tensor pad = Tensor.of(keep, 1, 1, 1, s).to(dev);
        GradCheck.assertGradients(in -> F.scaledDotProductAttention(in[0], in[1], in[2], pad, 0, true), q, k, v);
        GradCheck.assertGradients(in -> {
            Ember.manualSeed(4);
            return F.scaledDotProductAttention(in[0], in[1], in[2], null, 0.25, false);
        }, q, k, v);
    }

    /** A module built on the CPU and copied to the device: output and every parameter gradient agree. */
    public static void sameModule(Device dev, String what, Supplier<Module> make, BiFunction<Module, Tensor, Tensor> run, Tensor input, double rtol) {
        Ember.manualSeed(33);
        Module cpu = make.get(), other = make.get();
        other.loadStateDict(cpu.stateDict());
        other.to(dev);
        Tensor yc = run.apply(cpu, input), yd = run.apply(other, input.to(dev));
        assertClose(what + " forward", yc.toDoubleArray(), yd.toDoubleArray(), rtol);
        yc.square().sum().backward();
        yd.square().sum().backward();
        Map<String, Tensor> pc = cpu.namedParameters(), pd = other.namedParameters();
        for (var e : pc.entrySet())
            assertClose(what + " grad of " + e.getKey(), e.getValue().grad().toDoubleArray(), pd.get(e.getKey()).grad().toDoubleArray(), rtol);
    }

    /** A short LSTM and a small multi-head attention against the CPU, for slow devices. */
    public static void modulesQuick(Device dev) {
        sameModule(dev, "LSTM", () -> new LSTM(3, 4, RNNBase.options().bidirectional(true)),
                (m, x) -> ((LSTM) m).forward(x, null, null, new long[]{3, 2}).output(), Tensor.randn(3, 2, 3), 1e-4);
        sameModule(dev, "MultiheadAttention", () -> new MultiheadAttention(4, 2), (m, x) -> ((MultiheadAttention) m).forward(x, x, x, null,
                null, true), Tensor.randn(3, 2, 4), 1e-4);
    }

    /** The recurrent layers, multi-head attention, an encoder layer, RMSNorm, SwiGLU and RoPE against the CPU. */
    public static void modules(Device dev) {
        Tensor seq = Tensor.randn(5, 3, 4);
        long[] lengths = {5, 2, 4};
        sameModule(dev, "LSTM", () -> new LSTM(4, 6, RNNBase.options().numLayers(2).bidirectional(true)),
                (m, x) -> ((LSTM) m).forward(x, null, null, lengths).output(), seq, 1e-4);
        sameModule(dev, "GRU", () -> new GRU(4, 5, RNNBase.options().batchFirst(true)), (m, x) -> ((GRU) m).forward(x, null, null).output(),
                Tensor.randn(3, 5, 4), 1e-4);
        Tensor padding = Tensor.of(new boolean[]{false, false, false, false, false, false, false, false, true, true, false, false, false, false, true},
                3, 5);
        sameModule(dev, "MultiheadAttention", () -> new MultiheadAttention(8, 2), (m, x) -> ((MultiheadAttention) m).forward(x, x, x,
                padding.to(x.device()), null, true), Tensor.randn(5, 3, 8), 1e-4);
        sameModule(dev, "TransformerEncoderLayer", () -> new TransformerEncoderLayer(8, 2, new TransformerOptions().dimFeedforward(16).dropout(0)
                .normFirst(true).activation("gelu")), Module::forward, Tensor.randn(5, 3, 8), 1e-4);
        sameModule(dev, "RMSNorm", () -> new RMSNorm(new long[]{8}, 1e-6, true), Module::forward, Tensor.randn(3, 8), 1e-4);
        sameModule(dev, "SwiGLU", () -> new SwiGLU(8, 12), Module::forward, Tensor.randn(3, 8), 1e-4);
        samePrograms(dev, "RoPE", in -> new RotaryEmbedding(4, 16).apply(in[0], 3), 1e-5, Tensor.randn(2, 3, 5, 4));
    }

    /**
     * Loss of each of {@code steps} AdamW steps of a small GPT on fixed random batches, on {@code dev} (the model is
     * initialised on the CPU and copied, so every device starts from the same weights).
     */
    public static double[] gptLossCurve(Device dev, int steps) { return gptLossCurve(dev, steps, 2, 32); }

    /** As {@link #gptLossCurve(Device, int)} with {@code layers} blocks of width {@code width} (small for slow devices). */
    public static double[] gptLossCurve(Device dev, int steps, int layers, int width) {
        Ember.manualSeed(34);
        GPT model = new GPT(GPTConfig.builder(40).contextLength(16).layers(layers).width(width).heads(4).build());
        model.to(dev);
        AdamW opt = new AdamW(model.parameters(), 3e-3);
        Random r = new Random(35);
        double[] losses = new double[steps];
        for (int s = 0; s < steps; s++) {
            long[] x = new long[4 * 16], y = new long[4 * 16];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(40);
                y[i] = (x[i] * 7 + 3) % 40; // a learnable map, so the loss moves
            }
            Tensor logits = model.forward(Tensor.of(x, 4, 16).to(dev));
            Tensor loss = F.crossEntropy(logits.reshape(-1, 40), Tensor.of(y).to(dev));
            opt.zeroGrad();
            loss.backward();
            opt.step();
            losses[s] = loss.item();
        }
        return losses;
    }

    /** Every step's loss within {@code rtol} of the CPU's. */
    public static void assertSameCurve(double[] cpu, double[] dev, double rtol) {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < cpu.length; i++)
            if (!(Math.abs(cpu[i] - dev[i]) <= rtol * Math.abs(cpu[i]))) bad.add("step " + (i + 1) + ": cpu " + cpu[i] + " device " + dev[i]);
        assertTrue(bad.isEmpty(), "loss curves differ by more than " + rtol + " relative: " + bad);
        assertTrue(cpu[cpu.length - 1] < cpu[0], "the loss falls: " + cpu[0] + " -> " + cpu[cpu.length - 1]);
    }
}
