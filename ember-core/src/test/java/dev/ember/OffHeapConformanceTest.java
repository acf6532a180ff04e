package dev.ember;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.ember.backend.cpu.OffHeap;
import dev.ember.testing.DTypes;
import dev.ember.testing.ops.OpDb;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The op table's conformance run on the CPU with every storage past 8 elements off the heap (inputs too) and chunks of 6
 * elements: each op runs on the 64-bit path — chunked ({@code Indexing64}), or with its operands staged into heap
 * scratch for the kernels that index in 32 bits (matrix products, convolution, pooling) — and meets its float64
 * reference as the heap path does.
 */
class OffHeapConformanceTest {

    @BeforeAll
    static void defaults() { Ember.setDefaultDType(DType.FLOAT32); }

    @TestFactory
    Stream<DynamicTest> opsOffTheHeap() {
        return OpDb.all().stream().flatMap(op -> op.dtypes().stream().filter(dt -> !DTypes.isHalf(dt)).map(dt ->
                dynamicTest(op.name() + " " + dt.name(), () -> OffHeap.run(8, 6, () -> ConformanceTest.run(op, dt, Device.cpu())))));
    }
}
