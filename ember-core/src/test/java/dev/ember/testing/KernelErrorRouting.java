package dev.ember.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Tensor;
import dev.ember.backend.Backends;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Two threads on one GPU device, for the backends' tests: kernel errors reach the thread that
 * launched the failing kernel and name its op, and the other thread's valid work and reads succeed.
 * The steps are ordered with latches, so the failing kernel is queued before the valid thread reads.
 */
public final class KernelErrorRouting {
    private KernelErrorRouting() {}

    private static final java.util.concurrent.Executor ON_NEW_THREAD = r -> Thread.ofPlatform().start(r);

    /** Thread A queues a gather with an index out of range; thread B then computes and reads; then A reads. */
    public static void gatherErrorGoesToItsOwnThread(Device d) throws Exception {
        CountDownLatch badQueued = new CountDownLatch(1), goodRead = new CountDownLatch(1);
        CompletableFuture<Throwable> bad = CompletableFuture.supplyAsync(() -> {
            Tensor x = Tensor.of(new float[]{1, 2, 3, 4}).to(d);
            Tensor picked = x.gather(0, Tensor.of(new long[]{1, 7}).to(d)); // 7 is out of range: only the kernel knows
            badQueued.countDown();
            await(goodRead);
            return assertThrows(IndexOutOfBoundsException.class, picked::toFloatArray);
        }, ON_NEW_THREAD);
        CompletableFuture<float[]> good = CompletableFuture.supplyAsync(() -> {
            await(badQueued);
            Tensor y = Tensor.of(new float[]{1, 2, 3, 4}).to(d);
            float[] r = y.gather(0, Tensor.of(new long[]{3, 0}).to(d)).mul(2.0).toFloatArray();
            Tensor q = Tensor.of(new long[]{7, -7}).to(d).floorDivide(Tensor.of(new long[]{2, 2}).to(d)); // may raise; does not
            assertArrayEquals(new long[]{3, -4}, q.toLongArray());
            goodRead.countDown();
            return r;
        }, ON_NEW_THREAD);
        assertArrayEquals(new float[]{8, 2}, good.get(60, TimeUnit.SECONDS), "the valid thread's own result");
        Throwable e = bad.get(60, TimeUnit.SECONDS);
        assertTrue(e.getMessage().startsWith("gather: index 7 is out of bounds for dimension 0 with size 4"), e.getMessage());
        assertTrue(e.getMessage().contains("raised by a kernel this thread launched on"), e.getMessage());
        // reported once: the failing thread's next work is clean
        Tensor z = Tensor.of(new long[]{5, 6}).to(d);
        assertArrayEquals(new long[]{5, 6}, z.toLongArray());
    }

    /** Integer division by zero on one thread; another thread's synchronize and reads are unaffected. */
    public static void divisionErrorGoesToItsOwnThread(Device d) throws Exception {
        CountDownLatch badQueued = new CountDownLatch(1), goodRead = new CountDownLatch(1);
        CompletableFuture<Throwable> bad = CompletableFuture.supplyAsync(() -> {
            Tensor.of(new long[]{4, 5}).to(d).floorDivide(Tensor.of(new long[]{2, 0}).to(d));
            badQueued.countDown();
            await(goodRead);
            return assertThrows(ArithmeticException.class, () -> Backends.of(d).synchronize());
        }, ON_NEW_THREAD);
        CompletableFuture<Double> good = CompletableFuture.supplyAsync(() -> {
            await(badQueued);
            Backends.of(d).synchronize();
            double s = Tensor.arange(0, 10, 1).to(d).to(DType.FLOAT32).sum().item();
            goodRead.countDown();
            return s;
        }, ON_NEW_THREAD);
        assertEquals(45.0, good.get(60, TimeUnit.SECONDS));
        Throwable e = bad.get(60, TimeUnit.SECONDS);
        assertTrue(e.getMessage().startsWith("integer division by zero (raised by a kernel this thread launched on"), e.getMessage());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) throw new AssertionError("the other thread did not get there");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
