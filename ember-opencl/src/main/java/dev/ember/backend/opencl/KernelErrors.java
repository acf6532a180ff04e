package dev.ember.backend.opencl;

import static org.lwjgl.opencl.CL10.CL_MEM_READ_WRITE;
import static org.lwjgl.opencl.CL10.clCreateBuffer;

import dev.ember.backend.KernelErrorSlots;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/**
 * The device words in which kernels record what they cannot throw (an index out of range,
 * integer division by zero): {@code int[5]} = code, value (lo, hi), dim, size, as written by
 * {@code report_error} in {@code common.cl}. Each launching thread has its own word
 * ({@link KernelErrorSlots}); the first error since its last check wins, and the thread raises it
 * at its next read, since that is when it waits for the queue anyway.
 */
final class KernelErrors {
    private static final int BYTES = 20;

    private final ClDevice device;
    private final KernelErrorSlots<Long> slots;

    KernelErrors(ClDevice device) {
        this.device = device;
        this.slots = new KernelErrorSlots<>(new KernelErrorSlots.Device<>() {
            @Override
            public Long create() {
                try (MemoryStack stack = MemoryStack.stackPush()) {
                    IntBuffer err = stack.mallocInt(1);
                    long word = clCreateBuffer(device.context, CL_MEM_READ_WRITE, BYTES, err); // outside the allocator's statistics
                    ClError.check(err.get(0), "clCreateBuffer(error word)");
                    device.zero(word, 0, BYTES);
                    return word;
                }
            }

            @Override
            public void clear(Long word) { device.zero(word, 0, BYTES); }
        });
    }

    /** The calling thread's word, as the argument of a kernel that checks its input. */
    ClDevice.Mem argument() { return new ClDevice.Mem(slots.forLaunch()); }

    /**
     * Throws (and clears) the first error that a kernel launched by the calling thread recorded since
     * its last check; costs one small blocking read, and nothing when the thread launched no such kernel.
     */
    void raise() {
        Long word = slots.takePending();
        if (word == null) return;
        ByteBuffer buf = MemoryUtil.memAlloc(BYTES).order(ByteOrder.nativeOrder());
        int code, dim, size;
        long value;
        try {
            device.read(word, 0, buf);
            code = buf.getInt(0);
            value = (buf.getInt(4) & 0xFFFFFFFFL) | ((long) buf.getInt(8) << 32);
            dim = buf.getInt(12);
            size = buf.getInt(16);
        } finally {
            MemoryUtil.memFree(buf);
        }
        if (code == 0) return;
        slots.clear(word);
        String where = " (raised by a kernel this thread launched on " + device.name + ", reported at its next host read)";
        throw switch (code) {
            case 1 -> new IndexOutOfBoundsException("gather: index " + value + " is out of bounds for dimension " + dim + " with size " + size + where);
            case 2 -> new IndexOutOfBoundsException("scatterAdd: index " + value + " is out of bounds for dimension " + dim + " with size " + size + where);
            case 3 -> new ArithmeticException("integer division by zero" + where);
            case 4 -> new ArithmeticException("integer remainder by zero" + where);
            case 5 -> new ArithmeticException("integers to negative integer powers are not allowed" + where);
            default -> new IllegalStateException("opencl: unknown kernel error code " + code + where);
        };
    }
}
