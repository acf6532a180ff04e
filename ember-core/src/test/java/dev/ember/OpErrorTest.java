package dev.ember;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.testing.Checks;
import dev.ember.testing.Input;
import dev.ember.testing.Layout;
import dev.ember.testing.OpChecks;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.ErrorInput;
import dev.ember.testing.OpInfo.Suite;
import dev.ember.testing.Ref;
import dev.ember.testing.Sample;
import dev.ember.testing.ops.OpDb;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * Bad input to every entry of the op table throws an exception whose message names the op, on every device
 * present: the entry's own error cases (shapes that do not match, bad sizes and arguments), and the cases derived
 * from the table: each dtype the entry must refuse, a {@code dim} out of range, operands on two devices (where a
 * second device exists), and for in-place ops an expanded destination and a leaf that requires grad.
 */
@Tag("devices")
class OpErrorTest {

    private static final AtomicLong CASES = new AtomicLong();

    /** One bad call, expected to throw {@code type} naming the op and saying {@code fragment}; it returns what the op returned. */
    record Case(String what, DType dtype, Class<? extends Throwable> type, String fragment, Supplier<Object> call, String xfail) {
        Case(String what, DType dtype, Class<? extends Throwable> type, String fragment, Supplier<Object> call) {
            this(what, dtype, type, fragment, call, null);
        }
    }

    @BeforeAll
    static void defaults() { Ember.setDefaultDType(DType.FLOAT32); }

    @TestFactory
    Stream<DynamicNode> errors() {
        return Checks.devices().stream().map(dev -> dynamicContainer(dev.toString(), OpDb.all().stream().map(op -> {
            List<Case> cases = cases(op, dev);
            return dynamicContainer(op.name(), cases.stream().map(c -> dynamicTest(c.what(), () -> run(op, c, dev))));
        })));
    }

    private static void run(OpInfo op, Case c, Device dev) {
        OpInfo.Skip skip = op.skipped(Suite.ERRORS, dev, c.dtype());
        if (skip != null && !skip.expectedFailure()) Assumptions.abort(skip.reason());
        String what = op.name() + " " + c.what() + " on " + dev;
        Runnable check = () -> OpChecks.throwsNamingOp(op, what, c.type(), c.fragment(), () -> OpChecks.onDefaultDevice(dev, () -> {
            // read the result back: a GPU kernel's error (an index out of range) is raised at the next host read
            readBack(c.call().get());
            return null;
        }));
        String xfail = skip != null ? skip.reason() : c.xfail();
        if (xfail == null) check.run();
        else OpChecks.expectFailure(xfail, what, check);
        CASES.incrementAndGet();
    }

    static List<Case> cases(OpInfo op, Device dev) {
        List<Case> out = new ArrayList<>();
        for (ErrorInput e : op.errors()) {
            OpInfo.SampleXfail x = op.xfail(Suite.ERRORS, e.label(), dev, e.dtype());
            out.add(new Case(e.label() + " (" + e.dtype() + ")", e.dtype(), e.type(), e.fragment(), call(op, e.sample(), e.dtype(), dev),
                    x == null ? null : x.reason()));
        }
        Sample first = firstWithData(op);
        if (first != null) {
            for (DType refused : op.refused())
                out.add(new Case("refuses " + refused, refused, IllegalArgumentException.class, "", call(op, first, refused, dev)));
            DType dt = op.dtypes().iterator().next();
            for (Sample s : op.samples())
                if (s.params().has("dim") && s.params().get("dim") instanceof Integer && s.runsIn(dt) && !s.inputs().isEmpty()) {
                    int rank = s.inputs().get(0).shape().length;
                    Sample bad = s.withParams(s.params().with("dim", rank + 5));
                    out.add(new Case("dim " + (rank + 5) + " of a rank-" + rank + " input", dt, IndexOutOfBoundsException.class, "out of range",
                            call(op, bad, dt, dev)));
                    break;
                }
            if (!dev.isCpu() && op.deviceMixAllowed() == null) {
                for (Sample s : op.samples()) {
                    int moved = lastNonScalarInput(s);
                    if (moved > 0 && s.runsIn(dt) && s.maxNumel() <= 1000) {
                        out.add(new Case("input " + moved + " on the CPU", dt, IllegalArgumentException.class, "", () -> {
                            var in = s.tensors(dt, dev);
                            in[moved] = in[moved].cpu();
                            return op.call(in, s.params().withTested(dt));
                        }));
                        break;
                    }
                }
            }
            if (op.writesInput()) {
                for (DType f : new DType[]{DType.FLOAT32, DType.FLOAT64})
                    if (op.dtypes().contains(f)) {
                        out.add(new Case("a leaf that requires grad, with grad on", f, IllegalStateException.class, "requires grad", () -> {
                            var in = first.tensors(f, dev);
                            in[0].requiresGrad(true);
                            return op.call(in, first.params().withTested(f));
                        }));
                        break;
                    }
                for (Sample s : op.samples()) {
                    Input d = s.inputs().get(0);
                    if (d.shape().length >= 1 && d.numel() > 1 && d.numel() <= 1000 && s.runsIn(dt)) {
                        List<Input> in = new ArrayList<>(s.inputs());
                        in.set(0, Input.data(expandable(d), d.shape(), Layout.EXPANDED));
                        Sample bad = s.withInputs(in);
                        out.add(new Case("an expanded destination", dt, IllegalArgumentException.class, "expanded", call(op, bad, dt, dev)));
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** Reads every tensor the op returned back to the host. */
    private static void readBack(Object result) {
        switch (result) {
            case Tensor t -> Ref.of(t);
            case Tensor.ValuesIndices vi -> { readBack(vi.values()); readBack(vi.indices()); }
            case List<?> l -> l.forEach(OpErrorTest::readBack);
            case null, default -> { }
        }
    }

    /** Values constant along dim 0, as an expanded layout needs. */
    private static double[] expandable(Input in) {
        double[] v = in.values().clone();
        int slice = v.length / in.shape()[0];
        for (int i = slice; i < v.length; i++) v[i] = v[i % slice];
        return v;
    }

    /** The index of the last tensor input that is not 0-d (a CPU 0-d tensor combines with any device), or -1. */
    private static int lastNonScalarInput(Sample s) {
        if (s.inputs().size() < 2) return -1;
        for (int i = s.inputs().size() - 1; i > 0; i--) if (s.inputs().get(i).shape().length > 0) return i;
        return -1;
    }

    private static Sample firstWithData(OpInfo op) {
        for (Sample s : op.samples())
            if (!s.inputs().isEmpty() && s.inputs().get(0).isData() && s.maxNumel() <= 1000 && s.inputs().get(0).numel() > 0) return s;
        return null;
    }

    private static Supplier<Object> call(OpInfo op, Sample s, DType dt, Device dev) {
        return () -> op.call(s.tensors(dt, dev), s.params().withTested(dt));
    }

    @AfterAll
    static void report() { System.out.println("OpErrorTest: " + CASES.get() + " error cases"); }

}
