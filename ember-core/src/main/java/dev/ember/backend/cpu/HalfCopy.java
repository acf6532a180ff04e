package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.backend.HalfConversions;
import dev.ember.backend.Strided;

/** The CPU's conversions to and from FLOAT16 and BFLOAT16: {@link CpuBackend#copy} and {@link CpuBackend#fill} of 16-bit views. */
final class HalfCopy {
    private HalfCopy() {}

    /** {@link CpuBackend#copy} when either side is 16-bit: through float32, as PyTorch converts. */
    static void copy(Strided src, Strided dst) {
        Object s = CpuBackend.arr(src), d = CpuBackend.arr(dst);
        DType st = src.dtype(), dt = dst.dtype();
        var loop = StridedLoop.of(dst.shape(), new long[][]{src.strides(), dst.strides()}, new long[]{src.offset(), dst.offset()});
        int ss = loop.innerStrides[0], ds = loop.innerStrides[1];
        boolean dense = ss == 1 && ds == 1;
        loop.run(true, (off, n) -> {
            int so = off[0], o = off[1];
            if (s instanceof short[] hs && d instanceof short[] hd) {
                if (st == dt && dense) System.arraycopy(hs, so, hd, o, n);
                else if (st == dt) for (int i = 0; i < n; i++) hd[o + i * ds] = hs[so + i * ss];
                else for (int i = 0; i < n; i++)
                    hd[o + i * ds] = HalfConversions.fromFloat(dt, HalfConversions.toFloat(st, hs[so + i * ss]));
            } else if (s instanceof short[] hs) {
                if (d instanceof float[] fd && dense) HalfSimd.toFloat(st, hs, so, fd, o, n);
                else if (d instanceof float[] fd) for (int i = 0; i < n; i++) fd[o + i * ds] = HalfConversions.toFloat(st, hs[so + i * ss]);
                else for (int i = 0; i < n; i++) Elements.setD(d, o + i * ds, HalfConversions.toFloat(st, hs[so + i * ss]));
            } else {
                short[] hd = (short[]) d;
                if (s instanceof float[] fs && dense) HalfSimd.fromFloat(dt, fs, so, hd, o, n);
                else if (s instanceof float[] fs) for (int i = 0; i < n; i++) hd[o + i * ds] = HalfConversions.fromFloat(dt, fs[so + i * ss]);
                // Through float32, as PyTorch converts (and as the CPU converts other types to float32: through double).
                else for (int i = 0; i < n; i++)
                    hd[o + i * ds] = HalfConversions.fromFloat(dt, (float) Elements.getD(s, so + i * ss));
            }
        });
    }

    /** {@link CpuBackend#fill} of a 16-bit view: the value rounded to float32, then to 16 bits. */
    static void fill(Strided dst, double value) {
        short[] d = (short[]) CpuBackend.arr(dst);
        short bits = HalfConversions.fromFloat(dst.dtype(), (float) value);
        var loop = StridedLoop.of(dst.shape(), new long[][]{dst.strides()}, new long[]{dst.offset()});
        int ds = loop.innerStrides[0];
        loop.run(true, (off, n) -> {
            if (ds == 1) java.util.Arrays.fill(d, off[0], off[0] + n, bits);
            else for (int i = 0; i < n; i++) d[off[0] + i * ds] = bits;
        });
    }
}
