package dev.ember;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.testing.Checks;
import dev.ember.testing.DTypes;
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
 * the result's dtype and device, and inputs left as they were. One test per entry, dtype and device. The 16-bit
 * floats run in {@link HalfConformanceTest}, to their own tolerance.
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
                dynamicContainer(op.name(), op.dtypes().stream().filter(dt -> !DTypes.isHalf(dt)).map(dt -> dynamicTest(dt.name(), () -> run(op, dt, dev)))))));
    }

    static void run(OpInfo op, DType dt, Device dev) {
        OpInfo.Skip skip = op.skipped(Suite.CONFORMANCE, dev, dt);
        if (skip != null && !skip.expectedFailure()) Assumptions.abort(skip.reason());
        Runnable samples = () -> {
            for (Sample s : op.samples())
                if (OpChecks.runs(s, dt)) {
                    OpInfo.SampleXfail x = op.xfail(Suite.CONFORMANCE, s, dev, dt);
                    if (x == null) OpChecks.conformance(op, s, dt, dev);
                    else OpChecks.expectFailure(x.reason(), op.name() + " " + dt + " " + s.describe(dt) + " on " + dev,
                            () -> OpChecks.conformance(op, s, dt, dev));
                    CASES.incrementAndGet();
                }
        };
        if (skip == null) samples.run();
        else OpChecks.expectFailure(skip.reason(), op.name() + " " + dt + " on " + dev, samples);
    }

    @AfterAll
    static void report() { System.out.println("ConformanceTest: " + CASES.get() + " cases (entry, dtype, sample, device) of " + OpDb.all().size() + " entries"); }
}
