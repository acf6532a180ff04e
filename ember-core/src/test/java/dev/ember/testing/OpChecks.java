package dev.ember.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.autograd.GradCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What the table-driven suites check for one entry, sample, dtype and device; public so a backend module can
 * run the table on its devices with its own harness.
 */
public final class OpChecks {
    private OpChecks() {}

    /** Whether the conformance suite runs {@code s} in {@code dtype}: float dtypes run every sample, the others the small ones. */
    public static boolean runs(Sample s, DType dtype) {
        return s.runsIn(dtype) && (dtype.isFloatingPoint() || s.maxNumel() <= SampleInputs.SMALL);
    }

    /** Runs {@code body} with {@code device} as the default device (creation functions use it). */
    public static <T> T onDefaultDevice(Device device, java.util.function.Supplier<T> body) {
        Device before = Ember.defaultDevice();
        Ember.setDefaultDevice(device);
        try {
            return body.get();
        } finally {
            Ember.setDefaultDevice(before);
        }
    }

    /**
     * Runs the sample and compares every output with the float64 reference (values cast to the output's dtype:
     * BOOL outputs hold non-zero as 1), the first output's dtype with the entry's rule and its device with the
     * device under test; then the entry's property, and that an op which does not write its inputs left them as
     * they were.
     */
    public static void conformance(OpInfo op, Sample s, DType dtype, Device device) { conformance(op, s, dtype, device, op::tolerance); }

    /** The relative tolerance of an output of dtype {@code out} from {@code sample}. */
    @FunctionalInterface
    public interface Tolerance { double of(DType out, Sample sample); }

    /** As {@link #conformance(OpInfo, Sample, DType, Device)}, to the tolerance {@code tol} instead of the entry's. */
    public static void conformance(OpInfo op, Sample s, DType dtype, Device device, Tolerance tol) {
        String what = op.name() + " " + dtype + " " + s.describe(dtype) + " on " + device;
        Params p = s.params().withTested(dtype);
        onDefaultDevice(device, () -> {
            Tensor[] in = s.tensors(dtype, device);
            Ref[] refs = s.refs(dtype);
            Object result = op.call(in, p);
            List<Results.Out> actual = Results.actual(result);
            if (op.reference() != null) {
                List<Ref> expected = Results.expected(op.reference().apply(refs, p));
                assertEquals(expected.size(), actual.size(), what + ": number of outputs");
                for (int i = 0; i < expected.size(); i++) {
                    Results.Out a = actual.get(i);
                    DType out = a.dtype() != null ? a.dtype() : i == 0 ? op.resultType(dtype, p) : DType.FLOAT64;
                    Ref e = expected.get(i);
                    // the exact value rounded into the output's dtype: non-zero is true; float32 overflows to infinity
                    if (out == DType.BOOL) e = e.map(v -> v != 0 ? 1 : 0);
                    if (out == DType.FLOAT32) e = e.map(v -> (float) v);
                    // the 16-bit floats: compared unrounded (the tolerance allows the rounding), but past the largest finite value,
                    // infinity, and for an exact op (tolerance 0), the value rounded into the dtype
                    double t = tol.of(out, s);
                    if (out == DType.FLOAT16 || out == DType.BFLOAT16)
                        e = e.map(v -> t == 0 || Double.isInfinite(Input.round16(v, out)) ? Input.round16(v, out) : v);
                    Checks.assertClose(e, a.values(), t, what + (expected.size() > 1 ? ", output " + i : ""));
                }
            }
            Results.Out first = actual.get(0);
            if (first.dtype() != null) {
                assertEquals(op.resultType(dtype, p), first.dtype(), what + ": result dtype");
                assertEquals(op.resultDevice(device), first.device(), what + ": result device");
            }
            if (op.property() != null) op.property().check(result, in, s, dtype, device);
            for (int i = op.writesInput() ? 1 : 0; i < in.length; i++)
                if (in[i].numel() <= SampleInputs.SMALL)
                    Checks.assertClose(refs[i], Ref.of(in[i]), 0, what + ": input " + i + " must not change");
            return null;
        });
    }

    /**
     * Finite differences in float64 for the sample's data inputs (each a contiguous leaf on {@code device}; the op
     * sees them in the sample's layouts, built inside the function), values kept away from the entry's kinks.
     * Every floating-point output is differentiated (joined into one vector).
     */
    public static void gradcheck(OpInfo op, Sample s, Device device) {
        String what = op.name() + " gradcheck " + s.describe(DType.FLOAT64) + " on " + device;
        Params p = s.params().withTested(DType.FLOAT64);
        List<Input> inputs = s.inputs();
        List<Tensor> leaves = new ArrayList<>();
        Tensor[] fixed = new Tensor[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            if (in.isData()) {
                Input away = new Input(SampleInputs.avoid(in.values(), op.gradAvoid(), 0.05), in.shape(), null, in.layout());
                leaves.add(away.base(DType.FLOAT64, device).requiresGrad(true));
            } else {
                fixed[i] = in.tensor(DType.FLOAT64, device);
            }
        }
        Function<Tensor[], Tensor> f = args -> {
            Tensor[] x = new Tensor[inputs.size()];
            for (int i = 0, k = 0; i < x.length; i++)
                x[i] = inputs.get(i).isData() ? inputs.get(i).layout().view(args[k++], inputs.get(i).shape()) : fixed[i];
            return Results.differentiable(op.call(x, p));
        };
        GradCheck.Failure failure = onDefaultDevice(device, () -> GradCheck.check(f, GradCheck.Options.DEFAULT, leaves.toArray(new Tensor[0])));
        if (failure != null) throw new AssertionError(what + ": " + failure.message());
    }

    /**
     * Runs a check marked as a known failure (PyTorch's {@code xfail}): it passes when the check fails, and logs
     * why; a check that passes fails, so the mark is removed once the bug is fixed. Expected failures pass rather
     * than abort, so that a runner which treats a skip as a device that did not start ({@link TestPrograms}) runs them too.
     */
    public static void expectFailure(String reason, String what, Runnable check) {
        try {
            check.run();
        } catch (AssertionError | RuntimeException e) {
            System.out.println("expected failure: " + what + ": " + reason + " (" + e.getMessage() + ")");
            return;
        }
        throw new AssertionError(what + " passes but is marked as an expected failure (" + reason + "): remove the mark");
    }

    /**
     * Runs {@code call} and checks it throws {@code type} with a message naming the op ({@link OpInfo#errorName})
     * and containing {@code fragment}.
     */
    public static void throwsNamingOp(OpInfo op, String what, Class<? extends Throwable> type, String fragment, Runnable call) {
        Throwable thrown = null;
        try {
            call.run();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) throw new AssertionError(what + ": expected " + type.getSimpleName() + " but nothing was thrown");
        if (!type.isInstance(thrown)) {
            AssertionError e = new AssertionError(what + ": expected " + type.getSimpleName() + " but got " + thrown);
            e.initCause(thrown);
            throw e;
        }
        String msg = String.valueOf(thrown.getMessage());
        assertTrue(msg.contains(op.errorName()), what + ": the message must name the op '" + op.errorName() + "': " + msg);
        assertTrue(msg.contains(fragment), what + ": the message must say '" + fragment + "': " + msg);
    }
}
