package dev.ember.backend.gpu;

import dev.ember.DType;
import dev.ember.backend.HalfConversions;
import dev.ember.backend.Storage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * A kernel's arguments in order, independent of any driver: scalars of fixed C types, index-typed values
 * and structs ({@code idx_t}: 32 or 64 bits, decided per launch by {@link #width}), buffers (the
 * {@link Storage} whose memory is passed; offsets travel as separate arguments) and the launching thread's
 * error slot. {@link #encode} turns them into what a runtime sets: value bytes in native order, or buffer
 * handles.
 */
final class KernelArgs {
    private sealed interface Arg {}
    private record Bytes(byte[] value) implements Arg {}
    private record Index(long value) implements Arg {}
    private record IndexStruct(long[] fields) implements Arg {}
    private record Buffer(Storage storage) implements Arg {}
    private record ErrorSlot() implements Arg {}

    private final List<Arg> args = new ArrayList<>();
    private long maxIndex;

    public KernelArgs i32(int v) { return add(new Bytes(order(4).putInt(v).array())); }

    public KernelArgs i64(long v) { return add(new Bytes(order(8).putLong(v).array())); }

    public KernelArgs f32(float v) { return add(new Bytes(order(4).putFloat(v).array())); }

    public KernelArgs f64(double v) { return add(new Bytes(order(8).putDouble(v).array())); }

    public KernelArgs u8(byte v) { return add(new Bytes(new byte[]{v})); }

    /** A 16-bit pattern (a FLOAT16 or BFLOAT16 element, as the kernels' {@code ushort} sees it). */
    public KernelArgs u16(short v) { return add(new Bytes(order(2).putShort(v).array())); }

    /** A value of the kernel's index type. */
    public KernelArgs index(long v) {
        maxIndex = Math.max(maxIndex, Math.abs(v));
        return add(new Index(v));
    }

    /** A struct of index-typed fields passed by value ({@code Shape}, {@code Strides}). */
    public KernelArgs indexStruct(long[] fields) {
        for (long f : fields) maxIndex = Math.max(maxIndex, Math.abs(f));
        return add(new IndexStruct(fields.clone()));
    }

    /** A struct of {@code int} fields passed by value ({@code Geometry}). */
    public KernelArgs intStruct(int[] fields) {
        ByteBuffer b = order(4 * fields.length);
        for (int f : fields) b.putInt(f);
        return add(new Bytes(b.array()));
    }

    /** {@code layout}'s {@code Shape} struct and the {@code Strides} struct of each of its operands. */
    public KernelArgs layout(Layout layout) {
        maxIndex = Math.max(maxIndex, layout.extent());
        indexStruct(layout.shapeStruct());
        for (int k = 0; k < layout.strides().length; k++) indexStruct(layout.stridesStruct(k));
        return this;
    }

    /** An element of {@code dtype} with the value {@code v} converted as Java casts ({@code fill}'s value, a pad). */
    public KernelArgs element(DType dtype, double v) {
        return switch (dtype) {
            case FLOAT32 -> f32((float) v);
            case FLOAT64 -> f64(v);
            case INT32 -> i32((int) v);
            case INT64 -> i64((long) v);
            case BOOL -> u8((byte) (v != 0 ? 1 : 0));
            case FLOAT16, BFLOAT16 -> u16(HalfConversions.fromFloat(dtype, (float) v));
        };
    }

    /** A scalar of a float dtype's compute type: double for FLOAT64, float for FLOAT32 and the 16-bit types. */
    public KernelArgs real(DType dtype, double v) { return dtype == DType.FLOAT64 ? f64(v) : f32((float) v); }

    /** The memory of {@code s} (its element 0). */
    public KernelArgs buffer(Storage s) {
        maxIndex = Math.max(maxIndex, s.length());
        return add(new Buffer(s));
    }

    /** The launching thread's error slot ({@code int*}). */
    public KernelArgs errorSlot() { return add(new ErrorSlot()); }

    /** The narrowest index type that holds every index and buffer extent these arguments carry. */
    public IndexWidth width() { return IndexWidth.forExtent(maxIndex); }

    public int size() { return args.size(); }

    /**
     * The arguments as a runtime sets them: {@code byte[]} values (native order, index fields in
     * {@code width}) and buffer handles ({@code B}) for storages and the error slot.
     */
    public <B> List<Object> encode(IndexWidth width, Function<Storage, B> buffers, B errorSlot) {
        List<Object> out = new ArrayList<>(args.size());
        for (Arg a : args) {
            out.add(switch (a) {
                case Bytes b -> b.value();
                case Index i -> width == IndexWidth.I32 ? order(4).putInt(Math.toIntExact(i.value())).array()
                        : order(8).putLong(i.value()).array();
                case IndexStruct s -> {
                    ByteBuffer b = order(s.fields().length * width.bytes());
                    for (long f : s.fields()) {
                        if (width == IndexWidth.I32) b.putInt(Math.toIntExact(f)); else b.putLong(f);
                    }
                    yield b.array();
                }
                case Buffer b -> buffers.apply(b.storage());
                case ErrorSlot e -> errorSlot;
            });
        }
        return Collections.unmodifiableList(out);
    }

    /** True when an argument is the error slot (a launch that may record an error). */
    public boolean hasErrorSlot() {
        for (Arg a : args) if (a instanceof ErrorSlot) return true;
        return false;
    }

    private KernelArgs add(Arg a) {
        args.add(a);
        return this;
    }

    private static ByteBuffer order(int n) { return ByteBuffer.allocate(n).order(ByteOrder.nativeOrder()); }
}
