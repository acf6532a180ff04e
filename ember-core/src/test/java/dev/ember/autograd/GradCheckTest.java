package dev.ember.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.testing.Checks;
import dev.ember.testing.OpChecks;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.Suite;
import dev.ember.testing.Sample;
import dev.ember.testing.ops.OpDb;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference checks (float64) of every differentiable entry of the op table, on every device present:
 * the entry's gradcheck samples (broadcasting, 0-d, non-contiguous views built inside the function), values
 * kept away from kinks. Beside them, what a table cannot say: ties share the gradient, a float32 round trip,
 * composites, and that the check catches a wrong formula.
 */
@ParameterizedClass
@MethodSource("devices")
@Tag("devices")
@Tag("conformance")
class GradCheckTest {
    private static final AtomicLong CASES = new AtomicLong();
    private final Random random = new Random(42);
    private final Device dev;

    GradCheckTest(Device dev) { this.dev = dev; }

    static Stream<Device> devices() { return Checks.devices().stream(); }

    @BeforeEach
    void seed() {
        Ember.manualSeed(7);
        Ember.setDefaultDType(DType.FLOAT32);
    }

    @TestFactory
    Stream<DynamicNode> table() {
        return OpDb.all().stream().filter(OpInfo::differentiable).map(op -> dynamicContainer(op.name(),
                Stream.of(dynamicTest("float64", () -> run(op)))));
    }

    private void run(OpInfo op) {
        OpInfo.Skip skip = op.skipped(Suite.GRADCHECK, dev, DType.FLOAT64);
        if (skip != null && !skip.expectedFailure()) Assumptions.abort(skip.reason());
        long n = op.samples().stream().filter(s -> s.gradcheck() && s.runsIn(DType.FLOAT64)).count();
        if (n == 0) throw new AssertionError(op.name() + " is differentiable but has no gradcheck sample");
        Runnable samples = () -> {
            for (Sample s : op.samples())
                if (s.gradcheck() && s.runsIn(DType.FLOAT64)) OpChecks.gradcheck(op, s, dev);
        };
        if (skip == null) samples.run();
        else OpChecks.expectFailure(skip.reason(), op.name() + " gradcheck on " + dev, samples);
        CASES.addAndGet(n);
    }

    @AfterAll
    static void report() { System.out.println("GradCheckTest: " + CASES.get() + " table gradchecks"); }

    /** A constant (index, mask) on the device under test. */
    private Tensor on(Tensor t) { return t.to(dev); }

    /** A float64 leaf of the given shape with values in [lo, hi). */
    private Tensor leaf(double lo, double hi, long... shape) {
        int n = 1;
        for (long s : shape) n *= (int) s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * random.nextDouble();
        return Tensor.of(v).reshape(shape).to(dev).requiresGrad(true);
    }

    private Tensor leaf(long... shape) { return leaf(-1, 1, shape); }

    private static void check(Function<Tensor[], Tensor> f, Tensor... in) { GradCheck.assertGradients(f, in); }

    @Test
    void maxSplitsGradientAmongTies() {
        Tensor t = on(Tensor.of(new double[]{1, 3, 3, 2})).requiresGrad(true);
        t.max().backward();
        assertArrayEquals(new double[]{0, 0.5, 0.5, 0}, t.grad().toDoubleArray(), 0);
    }

    @Test
    void float32RoundTrip() {
        // A float32 round trip is too coarse for finite differences: check its gradient directly.
        Tensor x = on(Tensor.of(new float[]{1, 2})).requiresGrad(true);
        x.to(DType.FLOAT64).mul(3.0).sum().backward();
        assertEquals(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new double[]{3, 3}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void composites() {
        // layer norm written from primitives
        check(in -> {
            Tensor x = in[0];
            Tensor mu = x.mean(new int[]{1}, true);
            Tensor var = x.var(new int[]{1}, 0, true);
            return x.sub(mu).div(var.add(1e-5).sqrt()).mul(in[1]).add(in[2]);
        }, leaf(4, 6), leaf(6), leaf(6));
        // cross-entropy from logSoftmax and gather
        Tensor target = on(Tensor.of(new long[]{1, 0, 3}, 3, 1));
        check(in -> in[0].logSoftmax(1).gather(1, target).mean().neg(), leaf(3, 5));
        // a matrix product of a view with itself, and a gradient through two paths
        check(in -> in[0].t().matmul(in[0]), leaf(3, 2));
        check(in -> in[0].contiguous().add(in[0].clone()), leaf(2, 3, 4));
        check(in -> in[0].maskedFill(on(Tensor.of(new boolean[]{true, false, true, false, false, true}, 2, 3)), 5.0).mul(in[0]), leaf(2, 3));
    }

    @Test
    void zeroDimInputsStayZeroDim() {
        // the perturbed copies of a 0-d input must be 0-d too: stacking a 0-d tensor gives [2], a [1] one [2, 1]
        Tensor x = on(Tensor.scalar(0.7, DType.FLOAT64)).requiresGrad(true);
        assertNull(GradCheck.check(in -> Tensor.stack(0, in[0], in[0].mul(2.0)), GradCheck.Options.DEFAULT, x));
    }

    @Test
    void gradcheckDetectsAWrongFormula() {
        // A "function" whose graph does not match its values: the check must fail.
        Tensor x = leaf(3);
        GradCheck.Failure f = GradCheck.check(in -> {
            Tensor y = in[0].mul(2.0);
            return Ember.isGradEnabled() ? y : in[0].mul(3.0);
        }, GradCheck.Options.DEFAULT, x);
        assertFalse(f == null, "a mismatched gradient must be reported");
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check(in -> in[0], GradCheck.Options.DEFAULT, on(Tensor.of(new float[]{1f}))));
    }
}
