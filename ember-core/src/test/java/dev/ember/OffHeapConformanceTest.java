package dev.ember;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.backend.cpu.OffHeap;
import dev.ember.testing.DTypes;
import dev.ember.testing.ops.OpDb;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The op table's conformance run on the CPU with every storage past 8 elements off the heap and chunks of 6 elements:
 * each op either runs on the 64-bit path ({@code Indexing64}) and meets its float64 reference as the heap path does,
 * or is one of the ops whose kernels index in 32 bits only and refuses the view with a message saying so.
 */
class OffHeapConformanceTest {
    /** Ops built on 32-bit-only kernels (matrix products, convolution, pooling). */
    private static final Set<String> REFUSE = Set.of("matmul", "mm", "conv2d", "unfold", "fold", "maxPool2d", "avgPool2d");

    @BeforeAll
    static void defaults() { Ember.setDefaultDType(DType.FLOAT32); }

    @TestFactory
    Stream<DynamicTest> opsOffTheHeap() {
        return OpDb.all().stream().flatMap(op -> op.dtypes().stream().filter(dt -> !DTypes.isHalf(dt)).map(dt ->
                dynamicTest(op.name() + " " + dt.name(), () -> OffHeap.run(8, 6, () -> {
                    try {
                        ConformanceTest.run(op, dt, Device.cpu());
                    } catch (UnsupportedOperationException e) {
                        if (!e.getMessage().contains("indexes in 32 bits")) throw e;
                        Assertions.assertTrue(REFUSE.contains(op.name().split("\\.")[0]), op.name() + " refused off-heap views: " + e.getMessage());
                    }
                }))));
    }
}
