package dev.ember;

import static dev.ember.testing.Checks.assertClose;
import static dev.ember.testing.Checks.layout;
import static dev.ember.testing.Checks.random;
import static dev.ember.testing.Checks.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.testing.Checks;
import dev.ember.testing.DTypes;
import dev.ember.testing.Input;
import dev.ember.testing.OpChecks;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.Suite;
import dev.ember.testing.Ref;
import dev.ember.testing.Sample;
import dev.ember.testing.ops.OpDb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The op table ({@link OpDb}) in FLOAT16 and BFLOAT16 on every device that stores them: every entry that supports
 * floating point runs its samples (those of the float dtypes) on 16-bit inputs against its float64 reference
 * computed on the inputs rounded to the 16-bit type, and the result must keep the entry's result dtype. The CPU
 * computes in float32, accumulates sums and products in float32 and rounds each result once, so the tolerance is
 * half a unit in the 16-bit result's last place plus the entry's own float32 tolerance ({@link #tolerance}); the
 * entries that cannot run in 16 bits, or that round more than once, are declared in {@link #NOT_IN_16_BITS} and
 * {@link #ROUNDINGS}, each with its reason. Besides the table: the 16-bit matrix-vector paths of matmul
 * (HalfGemv), and creation and random draws in 16 bits.
 */
@Tag("conformance")
@Tag("devices")
class HalfConformanceTest {
    private static final DType[] HALVES = DTypes.HALVES;
    private static final AtomicLong CASES = new AtomicLong();

    /** Entries that do not run in 16 bits, with the reason. */
    private static final Map<String, String> NOT_IN_16_BITS = Map.of(
            "randLike", "its property wants [0, 1); a float32 draw just under 1 rounds up to 1.0 in 16 bits (creationRandomAndItem checks [0, 1])",
            "uniformInPlace", "its property wants [low, high); a float32 draw just under high rounds up to high in 16 bits");

    /**
     * Entries whose result is rounded to 16 bits more than once (composed of ops that each round), with the number
     * of half-units of the last place they may be off by, and the reason.
     */
    private record Rounding(double halfUlps, String reason) {}

    private static final Map<String, Rounding> ROUNDINGS = Map.of();

    @BeforeAll
    static void defaults() { Ember.setDefaultDType(DType.FLOAT32); }

    /** Half a unit in the last place (relative): what a result rounded once to 16 bits may be off by. */
    private static double halfUlp(DType dt) { return dt == DType.FLOAT16 ? 0x1p-11 : 0x1p-8; }

    /**
     * The entry's float32 tolerance (its own computation, in float32) plus half a unit in the last place of the
     * 16-bit result per rounding (one, unless {@link #ROUNDINGS} says more). A kernel that truncated, or rounded
     * twice, would exceed it. Outputs of other dtypes (indices, BOOL) keep the entry's tolerance.
     */
    private static double tolerance(OpInfo op, DType out, Sample s) {
        if (out != DType.FLOAT16 && out != DType.BFLOAT16) return op.tolerance(out, s);
        double f32 = op.tolerance(DType.FLOAT32, s);
        if (f32 == 0) return 0; // exact in float32 (moves, selects or compares values): exact in 16 bits too
        Rounding r = ROUNDINGS.get(op.name());
        return (r == null ? 1 : r.halfUlps()) * halfUlp(out) + f32;
    }

    static Stream<Device> devices() {
        // A backend that refuses 16-bit tensors has nothing to check here.
        return Checks.devices().stream().filter(HalfConformanceTest::stores16Bit);
    }

    private static boolean stores16Bit(Device d) {
        try {
            Tensor.zeros(DType.FLOAT16, 1).to(d);
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The entries that support floating point: those that run in FLOAT32 and FLOAT64 (an entry that runs in FLOAT32
     * alone makes tensors of the default dtype, or of a Java float array: zeros, rand, ofFloat). {@link ConformanceTest}
     * leaves the 16-bit dtypes to this class, also for the entries that list them; an entry that lists one of them
     * and not the float dtypes runs in those it lists.
     */
    private static List<DType> halves(OpInfo op) {
        List<DType> listed = Arrays.stream(HALVES).filter(op.dtypes()::contains).toList();
        if (!listed.isEmpty()) return listed; // an entry of the 16-bit dtypes only (toBits)
        return op.dtypes().contains(DType.FLOAT32) && op.dtypes().contains(DType.FLOAT64) ? List.of(HALVES) : List.of();
    }

    @TestFactory
    Stream<DynamicNode> opTable() {
        return devices().map(dev -> dynamicContainer(dev.toString(), OpDb.all().stream()
                // entries declared NOT_IN_16_BITS get no test at all (an aborted test counts as a failure on the emulated CUDA runner)
                .filter(op -> !halves(op).isEmpty() && !NOT_IN_16_BITS.containsKey(op.name())).map(op ->
                dynamicContainer(op.name(), halves(op).stream().map(dt -> dynamicTest(dt.name(), () -> run(op, dt, dev)))))));
    }

    private static void run(OpInfo op, DType dt, Device dev) {
        OpInfo.Skip skip = op.skipped(Suite.CONFORMANCE, dev, dt);
        if (skip != null && !skip.expectedFailure()) { // logged, not aborted: see opTable
            System.out.println("skipped: " + op.name() + " " + dt + " on " + dev + ": " + skip.reason());
            return;
        }
        Runnable samples = () -> {
            for (Sample s : op.samples())
                // a sample of the float dtypes (FLOAT32 stands for them) runs in 16 bits too
                if (s.runsIn(DType.FLOAT32)) {
                    OpInfo.SampleXfail x = op.xfail(Suite.CONFORMANCE, s, dev, dt);
                    Runnable check = () -> OpChecks.conformance(op, s, dt, dev, (out, smp) -> tolerance(op, out, smp));
                    if (x == null) check.run();
                    else OpChecks.expectFailure(x.reason(), op.name() + " " + dt + " " + s.describe(dt) + " on " + dev, check);
                    CASES.incrementAndGet();
                }
        };
        if (skip == null) samples.run();
        else OpChecks.expectFailure(skip.reason(), op.name() + " " + dt + " on " + dev, samples);
    }

    @AfterAll
    static void report() { System.out.println("HalfConformanceTest: " + CASES.get() + " table cases (entry, 16-bit dtype, sample, device)"); }

    private static double[] rounded(double[] v, DType dt) { return Input.cast(v, dt); }

    @ParameterizedTest
    @MethodSource("devices")
    void matmulAccumulatesInFloat32(Device dev) {
        Random r = new Random(24);
        // a few rows against a 16-bit matrix (up to 8, HalfGemv's vector blocks and column tail), then the general path
        int[][][] pairs = {{{3, 5}, {5, 4}}, {{2, 3, 5}, {5, 4}}, {{1, 300}, {300, 100}}, {{1, 1, 300}, {300, 70}}, {{2, 4, 33}, {33, 70}},
                {{8, 64}, {64, 40}}, {{9, 64}, {64, 40}}, {{65, 130}, {130, 67}}, {{3, 17, 9}, {3, 9, 33}}, {{300, 1000}, {1000, 20}}};
        for (DType dt : HALVES)
            for (int[][] p : pairs)
                for (int lay = 0; lay < 3; lay++) {
                    double[] va = random(r, Ref.numel(p[0]), -1, 1), vb = random(r, Ref.numel(p[1]), -1, 1);
                    Tensor a = layout(tensor(va, dt, dev, p[0]), lay), b = layout(tensor(vb, dt, dev, p[1]), (lay + 1) % 3);
                    Tensor y = a.matmul(b);
                    String what = "matmul " + dt + " " + Arrays.toString(p[0]) + " @ " + Arrays.toString(p[1]) + " layout " + lay + " on " + dev;
                    assertEquals(dt, y.dtype(), what + ": dtype");
                    // accumulated in float32 (up to 1000 terms of [-1, 1]: well under 1e-5), rounded once
                    assertClose(Ref.matmul(new Ref(rounded(va, dt), p[0]), new Ref(rounded(vb, dt), p[1])), y, halfUlp(dt) + 1e-5, what);
                }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void creationRandomAndItem(Device dev) {
        for (DType dt : HALVES) {
            Tensor z = Tensor.zeros(dt, 3, 4).to(dev), o = Tensor.ones(dt, 5).to(dev), f = Tensor.full(0.1, dt, 2).to(dev);
            assertEquals(0, z.sum().item());
            assertEquals(5, o.sum().item());
            assertEquals(rounded(new double[]{0.1}, dt)[0], f.select(0, 1).item(), "full rounds its value once");
            assertEquals(dt, Tensor.arange(0, 5, 1).to(dt).dtype());
            Ember.manualSeed(3);
            Tensor u = Tensor.randLike(Tensor.zeros(dt, 10000).to(dev));
            assertEquals(dt, u.dtype());
            List<Double> bad = new ArrayList<>();
            for (double d : u.toDoubleArray()) if (!(d >= 0 && d <= 1)) bad.add(d);
            assertEquals(List.of(), bad, "rand in [0, 1] (a float32 draw just under 1 may round up to 1.0 in 16 bits)");
            assertEquals(0.5, u.to(DType.FLOAT64).mean().item(), 0.02, "uniform mean");
            Tensor n = Tensor.randnLike(Tensor.zeros(dt, 10000).to(dev)).to(DType.FLOAT64);
            assertEquals(0, n.mean().item(), 0.05, "normal mean");
            assertEquals(1, n.std().item(), 0.05, "normal std");
        }
    }
}
