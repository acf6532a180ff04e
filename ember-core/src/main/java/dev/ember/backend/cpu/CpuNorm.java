package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.backend.Strided;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU's fused LayerNorm and RMSNorm ({@link dev.ember.backend.FusedNorm}): one pass over a row for its
 * statistics, one to write it, and two each way in backward, with no intermediate tensors. Rows are
 * float32 or 16-bit; a 16-bit row is widened into a row-sized float32 buffer, computed in float32 and
 * rounded once into a 16-bit output, so a BFLOAT16 model's norm never holds a float32 copy of its
 * activations.
 *
 * <p>Accumulation: a row's sums ({@code mean}, the squared deviations, and in backward {@code sum(gy)} and
 * {@code sum(gy * xhat)}) run in float32 vector lanes, as PyTorch's CPU kernel accumulates in float, and
 * the lanes are added in lane order (not {@code reduceLanes}, whose order the JIT may change); the
 * variance is taken about the mean in a second pass, not as {@code E[x^2] - E[x]^2}, which cancels. A
 * result therefore depends on the vector width, as the other CPU kernels' do, but not on the thread
 * count or the JIT tier. {@code dweight} and {@code dbias} are summed over rows in blocks whose size
 * depends only on the shape, and the blocks' partial sums are added in block order, so they do not
 * depend on the thread count either.
 *
 * <p>Only loaded when the Vector API is present ({@link Simd#AVAILABLE}); without it the backend does
 * not offer the capability's fast path and the tensor layer composes.
 */
final class CpuNorm {
    private CpuNorm() {}

    private static final VectorSpecies<Float> S = SimdKernels.S;
    private static final int L = S.length();

    /** Rows of a backward block hold at least this many elements... */
    private static final int BLOCK_ELEMENTS = 1 << 13;
    /** ...and there are at most this many blocks, which bounds the partial sums of dweight to this many rows. */
    private static final int MAX_BLOCKS = 64;

    static boolean forward(Strided x, int n, Strided w, Strided b, double eps, boolean rms, Strided out, Strided mean, Strided rstd) {
        if (n <= 0 || !rowsOf(x) || !rowsOf(out) || x.numel32() != out.numel32() || x.numel32() % n != 0) return false;
        int rows = x.numel32() / n;
        if (!vector(w, n) || !vector(b, n) || !(rms ? mean == null : vector(mean, rows)) || !vector(rstd, rows) || rstd == null) return false;
        float[] xf = floats(x), of = floats(out), wf = floats(w), bf = floats(b), mf = floats(mean), rf = floats(rstd);
        short[] xh = shorts(x), oh = shorts(out);
        int xo = x.offset32(), oo = out.offset32(), wo = w == null ? 0 : w.offset32(), bo = b == null ? 0 : b.offset32();
        int mo = mean == null ? 0 : mean.offset32(), ro = rstd.offset32();
        Parallel.forRange(rows, Math.max(1, StridedLoop.PARALLEL_GRAIN / n), (r0, r1) -> {
            float[] lanes = new float[L];
            float[] xbuf = xh == null ? null : new float[n], obuf = oh == null ? null : new float[n];
            for (int r = r0; r < r1; r++) {
                float[] xa = xf;
                int xa0 = xo + r * n;
                if (xh != null) { HalfSimd.toFloat(x.dtype(), xh, xa0, xbuf, 0, n); xa = xbuf; xa0 = 0; }
                float m = rms ? 0f : sum(xa, xa0, n, lanes) / n;
                float var = squaredDeviations(xa, xa0, n, m, lanes) / n;
                float rs = (float) (1.0 / Math.sqrt(var + eps));
                if (!rms) mf[mo + r] = m;
                rf[ro + r] = rs;
                if (oh == null) normalize(xa, xa0, of, oo + r * n, n, m, rs, wf, wo, bf, bo);
                else {
                    normalize(xa, xa0, obuf, 0, n, m, rs, wf, wo, bf, bo);
                    HalfSimd.fromFloat(out.dtype(), obuf, 0, oh, oo + r * n, n);
                }
            }
        });
        return true;
    }

    static boolean backward(Strided g, Strided x, int n, Strided w, Strided mean, Strided rstd, boolean rms,
                            Strided dx, Strided dw, Strided db) {
        if (n <= 0 || !rowsOf(g) || !rowsOf(x) || g.numel32() != x.numel32() || x.numel32() % n != 0) return false;
        if (dx != null && (!rowsOf(dx) || dx.numel32() != x.numel32())) return false;
        int rows = x.numel32() / n;
        if (!vector(w, n) || !vector(dw, n) || !vector(db, n) || !(rms ? mean == null : vector(mean, rows)) || !vector(rstd, rows)
                || rstd == null || (rms && db != null)) return false;
        float[] gf = floats(g), xf = floats(x), wf = floats(w), mf = floats(mean), rf = floats(rstd), df = floats(dx);
        short[] gh = shorts(g), xh = shorts(x), dh = shorts(dx);
        int go = g.offset32(), xo = x.offset32(), wo = w == null ? 0 : w.offset32(), mo = mean == null ? 0 : mean.offset32(), ro = rstd.offset32();
        int dxo = dx == null ? 0 : dx.offset32();
        // blocks of rows: their size depends on the shape only, so dweight's summation order does not depend on the threads
        int blockRows = Math.max(Math.max(1, BLOCK_ELEMENTS / n), (rows + MAX_BLOCKS - 1) / MAX_BLOCKS);
        int blocks = rows == 0 ? 0 : (rows + blockRows - 1) / blockRows;
        float[] dwPart = dw == null ? null : new float[blocks * n], dbPart = db == null ? null : new float[blocks * n];
        Parallel.forRange(blocks, Math.max(1, StridedLoop.PARALLEL_GRAIN / (blockRows * n)), (k0, k1) -> {
            float[] lanes = new float[L], sums = new float[2];
            float[] gbuf = gh == null ? null : new float[n], xbuf = xh == null ? null : new float[n], dbuf = dh == null ? null : new float[n];
            for (int k = k0; k < k1; k++) {
                for (int r = k * blockRows, end = Math.min(rows, r + blockRows); r < end; r++) {
                    float[] ga = gf, xa = xf;
                    int ga0 = go + r * n, xa0 = xo + r * n;
                    if (gh != null) { HalfSimd.toFloat(g.dtype(), gh, ga0, gbuf, 0, n); ga = gbuf; ga0 = 0; }
                    if (xh != null) { HalfSimd.toFloat(x.dtype(), xh, xa0, xbuf, 0, n); xa = xbuf; xa0 = 0; }
                    float m = rms ? 0f : mf[mo + r], rs = rf[ro + r];
                    if (dx != null) {
                        rowSums(ga, ga0, xa, xa0, n, m, rs, wf, wo, lanes, sums);
                        float a = rms ? 0f : sums[0] / n, c = sums[1] / n;
                        if (dh == null) inputGrad(ga, ga0, xa, xa0, df, dxo + r * n, n, m, rs, wf, wo, a, c);
                        else {
                            inputGrad(ga, ga0, xa, xa0, dbuf, 0, n, m, rs, wf, wo, a, c);
                            HalfSimd.fromFloat(dx.dtype(), dbuf, 0, dh, dxo + r * n, n);
                        }
                    }
                    if (dwPart != null) accumulateWeightGrad(ga, ga0, xa, xa0, dwPart, k * n, n, m, rs);
                    if (dbPart != null) accumulate(ga, ga0, dbPart, k * n, n);
                }
            }
        });
        if (dw != null) sumBlocks(dwPart, blocks, n, floats(dw), dw.offset32());
        if (db != null) sumBlocks(dbPart, blocks, n, floats(db), db.offset32());
        return true;
    }

    // ---- rows -----------------------------------------------------------------------------------

    /** The sum of {@code a[o, o + n)}: float32 lanes, added in lane order, then the tail. */
    private static float sum(float[] a, int o, int n, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) acc = acc.add(FloatVector.fromArray(S, a, o + i));
        float s = SimdKernels.sumLanes(acc, lanes);
        for (; i < n; i++) s += a[o + i];
        return s;
    }

    /** {@code sum((a - m)^2)} over the row, as {@link #sum}. */
    private static float squaredDeviations(float[] a, int o, int n, float m, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, a, o + i).sub(m);
            acc = d.fma(d, acc);
        }
        float s = SimdKernels.sumLanes(acc, lanes);
        for (; i < n; i++) {
            float d = a[o + i] - m;
            s = Math.fma(d, d, s);
        }
        return s;
    }

    /** {@code y = (x - m) * rs * w + b}, w and b optional: the composed path's operations in its order. */
    private static void normalize(float[] x, int xo, float[] y, int yo, int n, float m, float rs, float[] w, int wo, float[] b, int bo) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(m).mul(rs);
            if (w != null) v = v.mul(FloatVector.fromArray(S, w, wo + i));
            if (b != null) v = v.add(FloatVector.fromArray(S, b, bo + i));
            v.intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = (x[xo + i] - m) * rs;
            if (w != null) v *= w[wo + i];
            if (b != null) v += b[bo + i];
            y[yo + i] = v;
        }
    }

    /** {@code sums = {sum(gy), sum(gy * xhat)}} over the row, with {@code gy = g * w} (or g) and {@code xhat = (x - m) * rs}. */
    private static void rowSums(float[] g, int go, float[] x, int xo, int n, float m, float rs, float[] w, int wo, float[] lanes,
                                float[] sums) {
        FloatVector s1 = FloatVector.zero(S), s2 = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector gy = FloatVector.fromArray(S, g, go + i);
            if (w != null) gy = gy.mul(FloatVector.fromArray(S, w, wo + i));
            FloatVector xhat = FloatVector.fromArray(S, x, xo + i).sub(m).mul(rs);
            s1 = s1.add(gy);
            s2 = gy.fma(xhat, s2);
        }
        float t1 = SimdKernels.sumLanes(s1, lanes), t2 = SimdKernels.sumLanes(s2, lanes);
        for (; i < n; i++) {
            float gy = g[go + i];
            if (w != null) gy *= w[wo + i];
            float xhat = (x[xo + i] - m) * rs;
            t1 += gy;
            t2 = Math.fma(gy, xhat, t2);
        }
        sums[0] = t1;
        sums[1] = t2;
    }

    /** {@code dx = rs * (gy - a - xhat * c)}, with {@code a = mean(gy)} (0 for RMSNorm) and {@code c = mean(gy * xhat)}. */
    private static void inputGrad(float[] g, int go, float[] x, int xo, float[] dx, int dxo, int n, float m, float rs,
                                  float[] w, int wo, float a, float c) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector gy = FloatVector.fromArray(S, g, go + i);
            if (w != null) gy = gy.mul(FloatVector.fromArray(S, w, wo + i));
            FloatVector xhat = FloatVector.fromArray(S, x, xo + i).sub(m).mul(rs);
            gy.sub(a).sub(xhat.mul(c)).mul(rs).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float gy = g[go + i];
            if (w != null) gy *= w[wo + i];
            float xhat = (x[xo + i] - m) * rs;
            dx[dxo + i] = (gy - a - xhat * c) * rs;
        }
    }

    /** {@code part[po + j] += g[j] * xhat[j]} (one fused multiply-add per element). */
    private static void accumulateWeightGrad(float[] g, int go, float[] x, int xo, float[] part, int po, int n, float m, float rs) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector xhat = FloatVector.fromArray(S, x, xo + i).sub(m).mul(rs);
            FloatVector.fromArray(S, g, go + i).fma(xhat, FloatVector.fromArray(S, part, po + i)).intoArray(part, po + i);
        }
        for (; i < n; i++) part[po + i] = Math.fma(g[go + i], (x[xo + i] - m) * rs, part[po + i]);
    }

    /** {@code part[po + j] += g[j]}. */
    private static void accumulate(float[] g, int go, float[] part, int po, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L)
            FloatVector.fromArray(S, g, go + i).add(FloatVector.fromArray(S, part, po + i)).intoArray(part, po + i);
        for (; i < n; i++) part[po + i] += g[go + i];
    }

    /** {@code out[j] = sum over blocks k, in order, of part[k * n + j]}. */
    private static void sumBlocks(float[] part, int blocks, int n, float[] out, int oo) {
        for (int j = 0; j < n; j++) {
            float s = 0f;
            for (int k = 0; k < blocks; k++) s += part[k * n + j];
            out[oo + j] = s;
        }
    }


    // ---- operands -------------------------------------------------------------------------------

    /** A contiguous float32 or 16-bit CPU view. */
    private static boolean rowsOf(Strided s) {
        return s != null && s.storage() instanceof CpuStorage && s.isContiguous()
                && (s.dtype() == DType.FLOAT32 || s.dtype().isHalf());
    }

    /** Null, or a contiguous float32 CPU view of {@code len} elements. */
    private static boolean vector(Strided s, int len) {
        return s == null || (s.storage() instanceof CpuStorage && s.dtype() == DType.FLOAT32 && s.isContiguous() && s.numel32() == len);
    }

    private static float[] floats(Strided s) { return s != null && CpuBackend.arr(s) instanceof float[] f ? f : null; }

    private static short[] shorts(Strided s) { return s != null && CpuBackend.arr(s) instanceof short[] h ? h : null; }
}
