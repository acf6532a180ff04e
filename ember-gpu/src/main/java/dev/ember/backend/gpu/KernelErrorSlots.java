package dev.ember.backend.gpu;

import java.lang.ref.Cleaner;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where GPU kernels record the errors they cannot throw (an index out of range, integer division by
 * zero): one small device buffer per launching thread. A kernel gets the slot of the thread that
 * launches it, and a thread checks only its own slot, at its next synchronisation point (a host
 * read, {@code synchronize()}). So an error reaches the thread, and the op, whose kernel failed,
 * never a thread whose own work was valid. A slot is read only when its thread launched a kernel
 * that may write it since the last check.
 *
 * <p>A thread's slot goes back to a pool when the thread ends (through a {@link Cleaner}), and is
 * cleared on the device before another thread gets it; an error a thread never checked dies with it.
 *
 * @param <H> the device's buffer handle
 */
final class KernelErrorSlots<H> {

    /** The device calls the slots need; both run on the thread that will use the slot. */
    public interface Device<H> {
        /** A new zeroed slot. */
        H create();

        /** Queues zeroing of {@code slot}, ahead of any kernel launched after it. */
        void clear(H slot);
    }

    private static final Cleaner CLEANER = Cleaner.create();

    private final Device<H> device;
    private final ConcurrentLinkedQueue<H> recycled = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Slot<H>> mine = ThreadLocal.withInitial(this::acquire);

    public KernelErrorSlots(Device<H> device) { this.device = device; }

    /**
     * The calling thread's slot, as the argument of a kernel that may write it; records that the thread has
     * such a kernel in flight, so its next check reads the slot.
     */
    public H forLaunch() {
        Slot<H> s = mine.get();
        s.pending = true;
        return s.handle;
    }

    /**
     * The calling thread's slot if a kernel it launched since its last check may have written it, else
     * null; the flag is cleared, so the caller must read the slot (and {@link #clear} it when set).
     */
    public H takePending() {
        Slot<H> s = mine.get();
        if (!s.pending) return null;
        s.pending = false;
        return s.handle;
    }

    /** Queues zeroing of the calling thread's slot after reading an error from it. */
    public void clear(H slot) { device.clear(slot); }

    private Slot<H> acquire() {
        H handle = recycled.poll();
        if (handle != null) device.clear(handle); // whatever the thread that ended left in it
        else handle = device.create();
        Slot<H> s = new Slot<>(handle);
        H h = handle;
        ConcurrentLinkedQueue<H> pool = recycled; // the action must not reach the slot, or it would never run
        CLEANER.register(s, () -> pool.add(h));
        return s;
    }

    /** One thread's slot; unreachable once its thread has ended. */
    private static final class Slot<H> {
        final H handle;
        boolean pending;

        Slot(H handle) { this.handle = handle; }
    }
}
