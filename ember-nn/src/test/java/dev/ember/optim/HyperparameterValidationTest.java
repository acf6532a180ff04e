package dev.ember.optim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every optimizer and scheduler rejects an invalid hyper-parameter when it is built, with PyTorch's
 * wording ({@code Invalid learning rate: NaN}), instead of training on it.
 */
class HyperparameterValidationTest {
    private static List<Tensor> params() { return List.of(Tensor.zeros(3).requiresGrad(true)); }

    private static void rejects(String expected, Executable build) {
        var e = assertThrows(IllegalArgumentException.class, build, expected);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }

    @Test
    void optimizersRejectInvalidValuesAsPyTorchDoes() {
        for (double bad : new double[]{Double.NaN, -1e-3, Double.POSITIVE_INFINITY}) {
            String lr = "Invalid learning rate: " + bad;
            rejects(lr, () -> new SGD(params(), bad));
            rejects(lr, () -> new Adam(params(), bad));
            rejects(lr, () -> new AdamW(params(), bad));
            rejects(lr, () -> new RMSprop(params(), bad));
            rejects(lr, () -> new Adagrad(params(), bad));
            rejects("Invalid epsilon value: " + bad, () -> Adam.builder(1e-3).eps(bad).build(params()));
            rejects("Invalid epsilon value: " + bad, () -> RMSprop.builder(1e-2).eps(bad).build(params()));
            rejects("Invalid epsilon value: " + bad, () -> Adagrad.builder(1e-2).eps(bad).build(params()));
            rejects("Invalid momentum value: " + bad, () -> SGD.builder(0.1).momentum(bad).build(params()));
            rejects("Invalid momentum value: " + bad, () -> RMSprop.builder(0.1).momentum(bad).build(params()));
            rejects("Invalid weight_decay value: " + bad, () -> SGD.builder(0.1).weightDecay(bad).build(params()));
            rejects("Invalid weight_decay value: " + bad, () -> Adam.builder(0.1).weightDecay(bad).build(params()));
            rejects("Invalid weight_decay value: " + bad, () -> AdamW.builder(0.1).weightDecay(bad).buildW(params()));
            rejects("Invalid weight_decay value: " + bad, () -> RMSprop.builder(0.1).weightDecay(bad).build(params()));
            rejects("Invalid weight_decay value: " + bad, () -> Adagrad.builder(0.1).weightDecay(bad).build(params()));
            rejects("Invalid alpha value: " + bad, () -> RMSprop.builder(0.1).alpha(bad).build(params()));
            rejects("Invalid lr_decay value: " + bad, () -> Adagrad.builder(0.1).lrDecay(bad).build(params()));
            rejects("Invalid initial_accumulator_value value: " + bad, () -> Adagrad.builder(0.1).initialAccumulatorValue(bad).build(params()));
        }
        for (double bad : new double[]{Double.NaN, -0.1, 1.0, 2.0}) {
            rejects("Invalid beta parameter at index 0: " + bad, () -> Adam.builder(1e-3).betas(bad, 0.999).build(params()));
            rejects("Invalid beta parameter at index 1: " + bad, () -> Adam.builder(1e-3).betas(0.9, bad).build(params()));
        }
        rejects("Invalid dampening value: NaN", () -> SGD.builder(0.1).momentum(0.9).dampening(Double.NaN).build(params()));
        rejects("Invalid alpha value: 1.5", () -> RMSprop.builder(0.1).alpha(1.5).build(params()));
        rejects("Nesterov momentum requires a momentum and zero dampening", () -> SGD.builder(0.1).nesterov(true).build(params()));
        // the edges of the valid ranges are accepted
        assertDoesNotThrow(() -> new SGD(params(), 0));
        assertDoesNotThrow(() -> Adam.builder(0).betas(0, 0).eps(0).weightDecay(0).build(params()));
        assertDoesNotThrow(() -> RMSprop.builder(0.1).alpha(0).momentum(0).eps(0).build(params()));
    }

    @Test
    void parameterGroupsAndLaterChangesAreCheckedToo() {
        rejects("Invalid learning rate: NaN",
                () -> SGD.builder(0.1).buildGroups(List.of(new ParamGroup(params(), Map.of("lr", Double.NaN)))));
        rejects("Invalid momentum value: -1.0",
                () -> SGD.builder(0.1).buildGroups(List.of(new ParamGroup(params(), Map.of("momentum", -1.0)))));
        rejects("Nesterov momentum requires a momentum and zero dampening",
                () -> SGD.builder(0.1).momentum(0.9).nesterov(true).buildGroups(List.of(new ParamGroup(params(), Map.of("momentum", 0.0)))));
        Adam adam = new Adam(params(), 1e-3);
        rejects("Invalid beta parameter at index 1: 1.0", () -> adam.addParamGroup(new ParamGroup(params(), Map.of("beta2", 1.0))));
        assertEquals(1, adam.paramGroups().size(), "the bad group was not added");
        rejects("Invalid learning rate: NaN", () -> adam.paramGroups().get(0).setLr(Double.NaN));
        rejects("Invalid epsilon value: -1.0", () -> adam.paramGroups().get(0).set("eps", -1.0));
        assertEquals(1e-3, adam.paramGroups().get(0).lr(), "unchanged after the rejected settings");
        assertEquals(1e-8, adam.paramGroups().get(0).get("eps"));
    }

    @Test
    void schedulersRejectInvalidArguments() {
        Supplier<Optimizer> opt = () -> new SGD(params(), 0.1);
        for (double bad : new double[]{Double.NaN, 0, -0.5, Double.POSITIVE_INFINITY}) {
            rejects("StepLR: gamma", () -> new StepLR(opt.get(), 2, bad));
            rejects("MultiStepLR: gamma", () -> new MultiStepLR(opt.get(), new int[]{2}, bad));
            rejects("ExponentialLR: gamma", () -> new ExponentialLR(opt.get(), bad));
        }
        rejects("StepLR: stepSize", () -> new StepLR(opt.get(), 0, 0.1));
        rejects("MultiStepLR: milestones", () -> new MultiStepLR(opt.get(), new int[]{3, -1}, 0.1));
        rejects("CosineAnnealingLR: tMax", () -> new CosineAnnealingLR(opt.get(), 0, 0));
        rejects("CosineAnnealingLR: etaMin", () -> new CosineAnnealingLR(opt.get(), 5, Double.NaN));
        rejects("CosineAnnealingLR: etaMin", () -> new CosineAnnealingLR(opt.get(), 5, -1));
        rejects("WarmupCosineLR: startFactor", () -> new WarmupCosineLR(opt.get(), 2, 10, Double.NaN, 0));
        rejects("WarmupCosineLR: startFactor", () -> new WarmupCosineLR(opt.get(), 2, 10, 1.5, 0));
        rejects("WarmupCosineLR: etaMin", () -> new WarmupCosineLR(opt.get(), 2, 10, 0.1, -1));
        rejects("ReduceLROnPlateau: factor", () -> ReduceLROnPlateau.builder(opt.get()).factor(Double.NaN).build());
        rejects("ReduceLROnPlateau: factor", () -> ReduceLROnPlateau.builder(opt.get()).factor(1.0).build());
        rejects("ReduceLROnPlateau: factor", () -> ReduceLROnPlateau.builder(opt.get()).factor(-0.1).build());
        rejects("ReduceLROnPlateau: patience", () -> ReduceLROnPlateau.builder(opt.get()).patience(-1).build());
        rejects("ReduceLROnPlateau: cooldown", () -> ReduceLROnPlateau.builder(opt.get()).cooldown(-1).build());
        rejects("ReduceLROnPlateau: threshold", () -> ReduceLROnPlateau.builder(opt.get()).threshold(Double.NaN, true).build());
        rejects("ReduceLROnPlateau: minLr", () -> ReduceLROnPlateau.builder(opt.get()).minLr(-1).build());
        rejects("ReduceLROnPlateau: eps", () -> ReduceLROnPlateau.builder(opt.get()).eps(Double.NaN).build());
        // a rejected scheduler leaves the optimizer's lr alone
        Optimizer o = opt.get();
        rejects("WarmupCosineLR: startFactor", () -> new WarmupCosineLR(o, 2, 10, 2, 0));
        assertEquals(0.1, o.paramGroups().get(0).lr());
        assertTrue(!o.paramGroups().get(0).options().containsKey("initial_lr"), "no initial_lr left behind");
    }
}
