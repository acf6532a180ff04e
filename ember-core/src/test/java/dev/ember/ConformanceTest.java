package dev.ember;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.testing.Checks;
import dev.ember.testing.OpChecks;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.Suite;
import dev.ember.testing.Sample;
import dev.ember.testing.ops.OpDb;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * Every entry of the op table ({@link OpDb}), forward, on every device present, against its float64 reference:
 * each sample (0-d, size-0, size-1, odd sizes, long rows, broadcasting, transposed, strided, expanded and offset
 * inputs, non-finite values) in each dtype the entry supports (integer and BOOL dtypes on the small samples),
 * the result's dtype and device, and inputs left as they were. One test per entry, dtype and device.
 */
@Tag("conformance")
@Tag("devices")
class ConformanceTest {

    private static final AtomicLong CASES = new AtomicLong();

    @BeforeAll
    static void defaults() { Ember.setDefaultDType(DType.FLOAT32); }

    @TestFactory
    Stream<DynamicNode> conformance() {
        List<Device> devices = Checks.devices();
        return devices.stream().map(dev -> dynamicContainer(dev.toString(), OpDb.all().stream().map(op ->
                dynamicContainer(op.name(), op.dtypes().stream().map(dt -> dynamicTest(dt.name(), () -> run(op, dt, dev)))))));
    }

    static void run(OpInfo op, DType dt, Device dev) {
        OpInfo.Skip skip = op.skipped(Suite.CONFORMANCE, dev, dt);
        if (skip != null && !skip.expectedFailure()) Assumptions.abort(skip.reason());
        try {
            for (Sample s : op.samples())
                if (OpChecks.runs(s, dt)) {
                    OpInfo.SampleXfail x = op.xfail(Suite.CONFORMANCE, s, dev, dt);
                    if (x == null) OpChecks.conformance(op, s, dt, dev);
                    else expectFailure(x, () -> OpChecks.conformance(op, s, dt, dev), op.name() + " " + dt + " " + s.describe(dt) + " on " + dev);
                    CASES.incrementAndGet();
                }
        } catch (AssertionError | RuntimeException e) {
            if (skip != null) Assumptions.abort("expected failure: " + skip.reason() + " (" + e.getMessage() + ")");
            throw e;
        }
        if (skip != null) throw new AssertionError(op.name() + " " + dt + " on " + dev + " passes but is marked as an expected failure ("
                + skip.reason() + "): remove the xfail");
    }

    /** Runs a case marked as a known failure: it must still fail (and is logged), else the mark is stale. */
    static void expectFailure(OpInfo.SampleXfail x, Runnable check, String what) {
        try {
            check.run();
        } catch (AssertionError | RuntimeException e) {
            System.out.println("expected failure: " + what + ": " + x.reason());
            return;
        }
        throw new AssertionError(what + " passes but is marked as an expected failure (" + x.reason() + "): remove the xfail");
    }

    @AfterAll
    static void report() { System.out.println("ConformanceTest: " + CASES.get() + " cases (entry, dtype, sample, device) of " + OpDb.all().size() + " entries"); }
}
