package dev.ember.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The index width and 64-bit values of launches over views past 2^31 elements, planned without a device. */
class LaunchPlannerTest {
    private static final LaunchPlanner PLANS = new LaunchPlanner(256, 4, 16, Dialect.OPENCL, true);
    private static final long BIG = (1L << 31) + 64;

    private static Storage storage(DType dtype, long length) {
        return new Storage(dtype, length) {
            @Override
            public Backend backend() { return null; }
        };
    }

    private static long firstLong(Object encoded) { return ByteBuffer.wrap((byte[]) encoded).order(ByteOrder.nativeOrder()).getLong(); }

    @Test
    void aNarrowViewPastTwoToTheThirtyOneGetsSixtyFourBitKernelsAndItsWholeOffset() {
        Strided tail = new Strided(storage(DType.BOOL, BIG), new long[]{8, 4}, new long[]{4, 1}, 1L << 31);
        Launch fill = PLANS.fill(tail, 1);
        assertEquals(IndexWidth.I64, fill.args().width());
        assertEquals(32, fill.work());
        List<Object> args = fill.args().encode(IndexWidth.I64, s -> "buffer", null);
        assertEquals(1L << 31, firstLong(args.get(1)), "the Strides struct starts with the untruncated offset");
    }

    @Test
    void aWholeTensorPastTwoToTheThirtyOneIsIteratedInSixtyFourBits() {
        Strided src = Strided.contiguous(storage(DType.BOOL, BIG), BIG), dst = Strided.contiguous(storage(DType.FLOAT32, BIG), BIG);
        Launch copy = PLANS.copy(src, dst);
        assertEquals(BIG, copy.work());
        assertEquals(IndexWidth.I64, copy.args().width());
        Launch neg = PLANS.unary(UnaryOp.NEG, dst, dst, 0, 0);
        assertEquals("unary_f32_vec4", neg.kernel());
        assertEquals(IndexWidth.I64, neg.args().width());
    }

    @Test
    void smallViewsKeepThirtyTwoBitKernels() {
        Strided x = Strided.contiguous(storage(DType.FLOAT32, 1000), 10, 100);
        assertEquals(IndexWidth.I32, PLANS.fill(x, 2).args().width());
        assertEquals(IndexWidth.I32, PLANS.unary(UnaryOp.NEG, x, x, 0, 0).args().width());
        assertEquals(IndexWidth.I32, PLANS.reduce(ReduceOp.SUM, x, Strided.contiguous(storage(DType.FLOAT32, 10), 10),
                PLANS.reducePlan(ReduceOp.SUM, x), null).args().width());
    }

    @Test
    void aRowPastTwoToTheThirtyOneIsReducedInChunksAtSixtyFourBits() {
        Strided x = Strided.contiguous(storage(DType.BOOL, BIG), BIG);
        Strided out = new Strided(storage(DType.INT64, 1), new long[0], new long[0], 0);
        ReducePlan plan = PLANS.reducePlan(ReduceOp.SUM, x);
        assertTrue(plan.chunks() > 1, plan.toString());
        Launch first = PLANS.reduce(ReduceOp.SUM, x, out, plan, storage(DType.INT64, plan.chunks()));
        assertEquals("reduce_b8_i64", first.kernel());
        assertEquals(IndexWidth.I64, first.args().width());
        assertEquals(plan.chunks(), LaunchPlanner.partialShape(x, plan)[0]);
    }

    @Test
    void gemmRunsOperandsPastTwoToTheThirtyOneButRefusesSizesPastInt() {
        long side = 1L << 16; // a [side, side] operand: 2^32 elements, every size an int
        Strided a = Strided.contiguous(storage(DType.FLOAT32, side * side), 1, side, side);
        Strided b = Strided.contiguous(storage(DType.FLOAT32, side), 1, side, 1);
        Strided out = Strided.contiguous(storage(DType.FLOAT32, side), 1, side, 1);
        List<Launch> launches = PLANS.gemm(a, b, out);
        assertEquals(1, launches.size());
        assertEquals(IndexWidth.I64, launches.get(0).args().width());

        long k = 1L << 32;
        Strided wide = Strided.contiguous(storage(DType.FLOAT32, k), 1, 1, k), tall = Strided.contiguous(storage(DType.FLOAT32, k), 1, k, 1);
        var e = assertThrows(UnsupportedOperationException.class,
                () -> PLANS.gemm(wide, tall, Strided.contiguous(storage(DType.FLOAT32, 1), 1, 1, 1)));
        assertTrue(e.getMessage().startsWith("matmul:") && e.getMessage().contains(Long.toString(k)), e.getMessage());
    }
}
