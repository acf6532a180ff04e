package dev.ember.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import org.junit.jupiter.api.Test;

/** {@link Strided#fits32()}: a view fits 32-bit indexing exactly when every element it addresses, and its storage, do. */
class StridedTest {
    private static final long INT_MAX = Integer.MAX_VALUE;

    /** A storage of {@code length} elements that allocates nothing (the test only reads its length). */
    private static Storage storage(long length) {
        return new Storage(DType.BOOL, length) {
            @Override
            public Backend backend() { return dev.ember.backend.Backends.of(dev.ember.Device.cpu()); }
        };
    }

    @Test
    void fitsExactlyUpToTheLastIntIndex() {
        Storage s = storage(INT_MAX);
        assertTrue(new Strided(s, new long[]{INT_MAX}, new long[]{1}, 0).fits32(), "indices 0 .. 2^31 - 2");
        assertTrue(new Strided(s, new long[]{2}, new long[]{1}, INT_MAX - 2).fits32());
        assertTrue(new Strided(s, new long[]{1}, new long[]{1}, INT_MAX).fits32(), "index 2^31 - 1 itself");
        assertFalse(new Strided(s, new long[]{2}, new long[]{1}, INT_MAX).fits32(), "index 2^31");
        assertFalse(new Strided(s, new long[]{2, 3}, new long[]{INT_MAX, 1}, 0).fits32(), "a stride that reaches past");
        assertFalse(new Strided(storage(INT_MAX + 1), new long[]{1}, new long[]{1}, 0).fits32(), "a storage past 2^31 - 1");
        assertFalse(new Strided(s, new long[]{INT_MAX + 1}, new long[]{0}, 0).fits32(), "more elements than an int counts");
        assertTrue(new Strided(s, new long[]{INT_MAX}, new long[]{0}, 5).fits32(), "a broadcast of one element");
        assertTrue(new Strided(s, new long[]{0, 1L << 40}, new long[]{1L << 40, 1}, 0).fits32(), "empty: addresses nothing");
    }

    @Test
    void thirtyTwoBitAccessorsRefuseWhatDoesNotFit() {
        Strided big = new Strided(storage(3L << 30), new long[]{3, 1L << 30}, new long[]{1L << 30, 1}, 0);
        var e = assertThrows(UnsupportedOperationException.class, big::shape32);
        assertTrue(e.getMessage().contains("64-bit indexing"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, big::numel32);
        assertEquals(3L << 30, big.numel());
        Strided small = new Strided(storage(100), new int[]{4, 5}, new int[]{10, 2}, 7);
        assertArrayEquals(new int[]{4, 5}, small.shape32());
        assertArrayEquals(new long[]{10, 2}, small.strides());
        assertEquals(7, small.offset32());
        assertFalse(small.isContiguous());
    }
}
