package dev.ember.nn;

import static dev.ember.nn.TorchRef.assertClose;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonObject;
import dev.ember.Tensor;
import dev.ember.nn.functional.CrossEntropy;
import dev.ember.nn.functional.F;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every loss, in every reduction, and its input gradient match PyTorch's (make_nn_refs.py). */
class LossReferenceTest {
    /** A loss under test: (case, input, target, reduction) -> loss. */
    interface Case {
        Tensor apply(JsonObject c, Tensor x, Tensor y, Reduction r);
    }

    private static Tensor w(JsonObject c) { return TorchRef.tensor(c.getAsJsonObject("weight")); }

    private static final Map<String, Case> LOSSES = Map.ofEntries(
            Map.entry("mse", (c, x, y, r) -> F.mseLoss(x, y, r)),
            Map.entry("l1", (c, x, y, r) -> F.l1Loss(x, y, r)),
            Map.entry("smooth_l1_beta0.5", (c, x, y, r) -> F.smoothL1Loss(x, y, r, 0.5)),
            Map.entry("huber_delta0.7", (c, x, y, r) -> F.huberLoss(x, y, r, 0.7)),
            Map.entry("cross_entropy", (c, x, y, r) -> F.crossEntropy(x, y, CrossEntropy.builder().reduction(r).build())),
            Map.entry("cross_entropy_weight", (c, x, y, r) -> F.crossEntropy(x, y, CrossEntropy.builder().weight(w(c)).reduction(r).build())),
            Map.entry("cross_entropy_ignore", (c, x, y, r) -> F.crossEntropy(x, y, CrossEntropy.builder().reduction(r).build())),
            Map.entry("cross_entropy_ignore7_weight", (c, x, y, r) ->
                    F.crossEntropy(x, y, CrossEntropy.builder().weight(w(c)).ignoreIndex(7).reduction(r).build())),
            Map.entry("cross_entropy_smoothing", (c, x, y, r) -> F.crossEntropy(x, y, CrossEntropy.builder().labelSmoothing(0.1).reduction(r).build())),
            Map.entry("cross_entropy_smoothing_weight", (c, x, y, r) ->
                    F.crossEntropy(x, y, CrossEntropy.builder().weight(w(c)).labelSmoothing(0.2).reduction(r).build())),
            Map.entry("cross_entropy_smoothing_ignore", (c, x, y, r) ->
                    F.crossEntropy(x, y, CrossEntropy.builder().labelSmoothing(0.2).reduction(r).build())),
            Map.entry("cross_entropy_probs", (c, x, y, r) -> F.crossEntropy(x, y, CrossEntropy.builder().reduction(r).build())),
            Map.entry("cross_entropy_probs_weight_smoothing", (c, x, y, r) ->
                    F.crossEntropy(x, y, CrossEntropy.builder().weight(w(c)).labelSmoothing(0.3).reduction(r).build())),
            Map.entry("cross_entropy_4d", (c, x, y, r) -> F.crossEntropy(x, y, CrossEntropy.builder().reduction(r).build())),
            Map.entry("nll_weight_ignore", (c, x, y, r) -> F.nllLoss(x.logSoftmax(1), y, w(c), -100, r)),
            Map.entry("binary_cross_entropy", (c, x, y, r) -> F.binaryCrossEntropy(x, y, null, r)),
            Map.entry("binary_cross_entropy_weight", (c, x, y, r) -> F.binaryCrossEntropy(x, y, w(c), r)),
            Map.entry("bce_with_logits", (c, x, y, r) -> F.binaryCrossEntropyWithLogits(x, y, null, null, r)),
            Map.entry("bce_with_logits_pos_weight", (c, x, y, r) ->
                    F.binaryCrossEntropyWithLogits(x, y, w(c), TorchRef.tensor(c.getAsJsonObject("pos_weight")), r)),
            Map.entry("hinge_embedding", (c, x, y, r) -> F.hingeEmbeddingLoss(x, y, 1.5, r)),
            Map.entry("multi_margin", (c, x, y, r) -> F.multiMarginLoss(x, y, 1, 1.0, null, r)),
            Map.entry("multi_margin_p2_weight", (c, x, y, r) -> F.multiMarginLoss(x, y, 2, 0.7, w(c), r)));

    static Stream<JsonObject> cases() { return TorchRef.cases("losses.json").stream(); }

    private static boolean integerTargets(String name) {
        return (name.startsWith("cross_entropy") && !name.contains("probs")) || name.startsWith("nll") || name.startsWith("multi_margin");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossAndGradientMatchPyTorch(JsonObject c) {
        String name = c.get("name").getAsString();
        Case loss = LOSSES.get(name);
        assertNotNull(loss, "no Ember loss for reference case " + name);
        JsonObject target = c.getAsJsonObject("target");
        Tensor y = integerTargets(name) ? TorchRef.longTensor(target) : TorchRef.tensor(target);
        for (Reduction r : Reduction.values()) {
            String key = r.name().toLowerCase();
            Tensor x = TorchRef.tensor(c.getAsJsonObject("input")).requiresGrad(true);
            Tensor l = loss.apply(c, x, y, r);
            assertClose(name + " (" + key + ")", c.getAsJsonObject(key), l);
            l.sum().backward();
            assertClose(name + " (" + key + ") input grad", c.getAsJsonObject("grad_" + key), x.grad(), 1e-4, 1e-5);
        }
    }

    @Test
    void lossObjectsAgreeWithTheFunctions() {
        dev.ember.Ember.manualSeed(8);
        Tensor x = Tensor.randn(6, 4), y = Tensor.randint(0, 4, 6), r = Tensor.randn(6, 4), p = Tensor.rand(6, 4).mul(0.9).add(0.05);
        Tensor b = Tensor.randint(0, 2, 6, 4).to(dev.ember.DType.FLOAT32), s = b.mul(2.0).sub(1.0);
        java.util.List<Tensor[]> pairs = java.util.List.of(
                new Tensor[]{new MSELoss().forward(x, r), F.mseLoss(x, r)},
                new Tensor[]{new L1Loss(Reduction.SUM).forward(x, r), F.l1Loss(x, r, Reduction.SUM)},
                new Tensor[]{new SmoothL1Loss(Reduction.MEAN, 0.3).forward(x, r), F.smoothL1Loss(x, r, Reduction.MEAN, 0.3)},
                new Tensor[]{new HuberLoss(Reduction.MEAN, 0.4).forward(x, r), F.huberLoss(x, r, Reduction.MEAN, 0.4)},
                new Tensor[]{new CrossEntropyLoss().forward(x, y), F.crossEntropy(x, y)},
                new Tensor[]{new NLLLoss().forward(x.logSoftmax(1), y), F.crossEntropy(x, y)},
                new Tensor[]{new BCELoss().forward(p, b), F.binaryCrossEntropy(p, b)},
                new Tensor[]{new BCEWithLogitsLoss().forward(x, b), F.binaryCrossEntropy(x.sigmoid(), b)},
                new Tensor[]{new HingeEmbeddingLoss().forward(x, s), F.hingeEmbeddingLoss(x, s)},
                new Tensor[]{new MultiMarginLoss().forward(x, y), F.multiMarginLoss(x, y)});
        for (int i = 0; i < pairs.size(); i++)
            org.junit.jupiter.api.Assertions.assertEquals(pairs.get(i)[1].item(), pairs.get(i)[0].item(), 1e-5, "loss object " + i);
    }
}
