package dev.ember.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.Storage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How launch arguments are encoded: fixed C types, index-typed values and structs at the launch's width, buffers. */
class KernelArgsTest {

    private static Storage storage(long length) {
        return new Storage(DType.FLOAT32, length) {
            @Override
            public Backend backend() { return null; }
        };
    }

    private static ByteBuffer bytes(Object o) { return ByteBuffer.wrap((byte[]) o).order(ByteOrder.nativeOrder()); }

    @Test
    void indexValuesAndStructsFollowTheWidth() {
        Layout l = Layout.of("t", new long[]{3, 4}, new long[][]{{1, 3}}, new long[]{5});
        var args = new KernelArgs().i32(7).index(12).layout(l);
        assertEquals(IndexWidth.I32, args.width());
        List<Object> narrow = args.encode(IndexWidth.I32, s -> "buf", "slot");
        assertEquals(4, ((byte[]) narrow.get(1)).length);
        assertEquals(12, bytes(narrow.get(1)).getInt());
        assertEquals(10 * 4, ((byte[]) narrow.get(2)).length, "Shape: rank, n, 8 sizes");
        assertEquals(9 * 4, ((byte[]) narrow.get(3)).length, "Strides: offset, 8 strides");
        List<Object> wide = args.encode(IndexWidth.I64, s -> "buf", "slot");
        assertEquals(4, ((byte[]) wide.get(0)).length, "an int stays an int");
        assertEquals(12L, bytes(wide.get(1)).getLong());
        ByteBuffer shape = bytes(wide.get(2));
        assertArrayEquals(new long[]{2, 12, 3, 4, 1, 1, 1, 1, 1, 1},
                new long[]{shape.getLong(), shape.getLong(), shape.getLong(), shape.getLong(), shape.getLong(), shape.getLong(),
                        shape.getLong(), shape.getLong(), shape.getLong(), shape.getLong()});
        assertEquals(5L, bytes(wide.get(3)).getLong(), "the offset leads the Strides struct");
    }

    @Test
    void aBufferOrIndexBeyondIntRangeNeedsSixtyFourBits() {
        assertEquals(IndexWidth.I32, new KernelArgs().buffer(storage(1000)).index(Integer.MAX_VALUE).width());
        assertEquals(IndexWidth.I64, new KernelArgs().index((long) Integer.MAX_VALUE + 1).width());
        assertEquals(IndexWidth.I64, new KernelArgs().indexStruct(new long[]{0, 1L << 40}).width());
        assertEquals(IndexWidth.I64, new KernelArgs().buffer(storage((1L << 31) + 64)).width(), "a storage past 2^31 elements");
    }

    @Test
    void buffersAndTheErrorSlotBecomeHandles() {
        Storage s = storage(4);
        var args = new KernelArgs().buffer(s).errorSlot().u8((byte) 1);
        List<Object> out = args.encode(IndexWidth.I32, st -> st == s ? "the buffer" : "?", "the slot");
        assertSame("the buffer", out.get(0));
        assertSame("the slot", out.get(1));
        assertArrayEquals(new byte[]{1}, (byte[]) out.get(2));
        assertEquals(true, args.hasErrorSlot());
    }

    @Test
    void elementsConvertAsJavaCasts() {
        var args = new KernelArgs().element(DType.INT32, 3e10).element(DType.INT64, Double.NaN).element(DType.BOOL, -0.5)
                .element(DType.FLOAT32, 0.1).real(DType.FLOAT64, 0.1);
        List<Object> out = args.encode(IndexWidth.I32, s -> null, null);
        assertEquals(Integer.MAX_VALUE, bytes(out.get(0)).getInt());
        assertEquals(0L, bytes(out.get(1)).getLong());
        assertArrayEquals(new byte[]{1}, (byte[]) out.get(2));
        assertEquals(0.1f, bytes(out.get(3)).getFloat());
        assertEquals(0.1, bytes(out.get(4)).getDouble());
    }
}
