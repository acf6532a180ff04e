package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.backend.MemoryStats;
import dev.ember.testing.AllocatorStats;
import org.junit.jupiter.api.Test;

/**
 * The CPU caching allocator: size classes, reuse of released arrays (warmest first), zeroing only where
 * asked, the cache limit, and the statistics that {@code Ember.memoryStats(cpu)} reports.
 */
class CpuAllocatorTest {

    @Test
    void sizeClassesCoverTheRequestWithAtMostAnEighthToSpare() {
        int previous = 0;
        for (int n = 1; n < 3_000_000; n += 1 + n / 50) {
            int c = CpuAllocator.sizeClass(n, 4);
            assertTrue(c >= n, "class of " + n + " holds it");
            assertTrue(c >= previous, "classes grow with the request");
            if ((long) n * 4 > 4096) assertTrue(c <= n + n / 8 + 1, "class " + c + " of " + n + " wastes at most an eighth");
            else assertTrue((long) c * 4 - (long) n * 4 < 64, "small requests round up to 64 bytes");
            previous = c;
        }
        assertEquals(1 << 20, CpuAllocator.sizeClass(1 << 20, 4), "a power of two is its own class");
        assertEquals(CpuAllocator.sizeClass(1_000_000, 4), CpuAllocator.sizeClass(999_000, 4), "nearby sizes share a class");
    }

    @Test
    void aReleasedArrayServesTheNextRequestOfItsClassZeroedOnlyWhenAsked() {
        var a = new CpuAllocator(1 << 30);
        float[] first = (float[]) a.take(DType.FLOAT32, 1000, true);
        first[0] = 7;
        first[999] = 8;
        a.give(DType.FLOAT32, first);
        float[] again = (float[]) a.take(DType.FLOAT32, 1001, false); // same class (4032 bytes)
        assertTrue(first == again, "the released array is reused");
        assertEquals(7f, again[0], "not zeroed: the op overwrites it");
        a.give(DType.FLOAT32, again);
        float[] zeroed = (float[]) a.take(DType.FLOAT32, 1000, true);
        assertTrue(first == zeroed);
        assertEquals(0f, zeroed[0]);
        assertEquals(0f, zeroed[999]);
        assertTrue(zeroed != a.take(DType.FLOAT32, 1000, true), "an empty class makes a new array");
        assertEquals(2, a.hitsAndMisses()[0], "two requests served from the cache");
        assertEquals(2, a.hitsAndMisses()[1]);
        int[] other = (int[]) a.take(DType.INT32, 1000, true);
        assertEquals(1008, other.length, "each dtype has its own classes: 1000 ints round to 4032 bytes");
    }

    @Test
    void theWarmestArrayIsReusedFirst() {
        var a = new CpuAllocator(1 << 30);
        Object x = a.take(DType.FLOAT32, 4096, true), y = a.take(DType.FLOAT32, 4096, true);
        a.give(DType.FLOAT32, x);
        a.give(DType.FLOAT32, y);
        assertTrue(y == a.take(DType.FLOAT32, 4096, false), "last released, first reused");
    }

    @Test
    void aMissTakesTheSmallestCachedArrayOfAtMostTwiceItsSize() {
        var a = new CpuAllocator(1 << 30);
        float[] full = (float[]) a.take(DType.FLOAT32, 512 * 784, false);
        float[] huge = (float[]) a.take(DType.FLOAT32, 4 * 512 * 784, false);
        full[0] = 3f;
        a.give(DType.FLOAT32, huge);
        a.give(DType.FLOAT32, full);
        // a last batch of 272 of 512: its class is empty, the full batch's array serves it (zeroed on request)
        float[] last = (float[]) a.take(DType.FLOAT32, 272 * 784, true);
        assertTrue(last == full, "the smallest larger array within twice the request");
        assertEquals(0f, last[0]);
        assertEquals(1, a.hitsAndMisses()[0], "counted as served from the cache");
        assertEquals((long) (full.length + huge.length) * 4, a.stats().reserved(), "live and cached bytes count whole arrays");
        // more than twice smaller: a new array, the 4x one stays cached
        float[] small = (float[]) a.take(DType.FLOAT32, 100 * 784, false);
        assertTrue(small != huge && small.length < huge.length);
        // the larger array goes back to its own class and serves a request of that class exactly
        a.give(DType.FLOAT32, last);
        assertTrue(full == a.take(DType.FLOAT32, 512 * 784, false));
        // dtypes never mix: the cached float array of 4x is within twice this int request, and stays cached
        assertTrue(a.take(DType.INT32, 3 * 512 * 784, false) instanceof int[]);
        assertTrue(huge == a.take(DType.FLOAT32, 4 * 512 * 784, false));
        // below the threshold a request keeps to its class (a gradient or optimizer state may live long)
        int below = (int) (CpuAllocator.REUSE_LARGER_FROM / 4 / 2);
        float[] larger = (float[]) a.take(DType.FLOAT32, below + below / 2, false);
        a.give(DType.FLOAT32, larger);
        assertTrue(larger != a.take(DType.FLOAT32, below, false), "a small request does not take a larger class's array");
    }

    @Test
    void theCacheHoldsAtMostItsLimitAndStatisticsCountLiveAndCachedBytes() {
        var a = new CpuAllocator(10_000);
        Object x = a.take(DType.FLOAT32, 1000, true), y = a.take(DType.FLOAT32, 1000, true), z = a.take(DType.FLOAT32, 1000, true);
        assertEquals(new MemoryStats(3 * 4032, 3 * 4032, 3 * 4032), a.stats());
        a.give(DType.FLOAT32, x);
        a.give(DType.FLOAT32, y);
        a.give(DType.FLOAT32, z); // 3 x 4032 > 10,000: this one goes to the garbage collector
        assertEquals(new MemoryStats(0, 2 * 4032, 3 * 4032), a.stats());
        a.take(DType.FLOAT32, 1000, false);
        a.resetPeak();
        assertEquals(new MemoryStats(4032, 2 * 4032, 4032), a.stats());
        a.emptyCache();
        assertEquals(new MemoryStats(4032, 4032, 4032), a.stats());
    }

    @Test
    void closingATensorHandsItsMemoryBackAndTheNextTensorReusesIt() {
        AllocatorStats.settle(Device.cpu());
        MemoryStats before = Ember.memoryStats(Device.cpu());
        Tensor t = Tensor.randn(300, 300);
        Tensor u = t.relu();
        long size = Ember.memoryStats(Device.cpu()).allocated() - before.allocated();
        assertTrue(size >= 2 * 360_000, "two tensors of 360,000 bytes live: " + size);
        Object array = ((CpuStorage) u.strided().storage()).array();
        t.close();
        u.close();
        assertEquals(before.allocated(), Ember.memoryStats(Device.cpu()).allocated(), "both back in the cache");
        Tensor v = Tensor.ones(300, 300);
        assertTrue(array == ((CpuStorage) v.strided().storage()).array(), "the warmest array serves the next tensor");
        assertArrayEquals(new float[]{1, 1}, v.reshape(-1).narrow(0, 0, 2).toFloatArray(), "and holds the new tensor's values");
        v.close();
    }
}
