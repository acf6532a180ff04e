package dev.ember.backend.cpu;

import dev.ember.backend.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3 x 3 convolution with stride 1 and padding 1, and its weight gradient, by Winograd's minimal filtering
 * F(2 x 2, 3 x 3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each 2 x 2 block of an
 * output plane is
 * {@code A^T [sum over ci of (G g G^T) . (B^T d B)] A}, with d the 4 x 4 input tile around the block and g the 3 x 3
 * kernel, so a block costs 16 multiply-adds per input channel instead of 36. The sum over input channels is, for each
 * of the 16 points of the transformed tile, one matrix product {@code M[cout, tiles] = U[cout, cin] @ V[cin, tiles]},
 * run by the GEMM's micro-kernels ({@link SimdGemm#tiles}) on U packed once per call and V written by the input
 * transform straight into packed B strips (no copy, no per-product set-up); the transforms are additions only.
 *
 * <p>Work is cut into chunks of whole images (about {@link #CHUNK_TILES} tiles), fixed by the shape alone: each chunk
 * is padded, transformed, multiplied and transformed back by one thread with its data in cache, and every output
 * element is computed the same way whatever the number of threads (the GEMM's edge kernels sum in another order, so
 * the split into products must not depend on it). The transforms run as vectors across the tiles of a tile row: the
 * input tile's columns 2t, 2t + 1, 2t + 2 and 2t + 3 are the even and odd lanes of two pairs of loads, taken apart with
 * one-vector permutes and a blend, as in {@link SimdKernels#maxPool2x2}; the two output columns are put back together
 * the same way.
 *
 * <p>Rounding differs from the direct sum (the transformed products are summed instead of the original ones): within
 * 1e-5 of the sum of the terms' magnitudes (WinogradTest), about 1e-6 relative on unit-scale data. An infinite or NaN
 * input would spread through the transforms to the other outputs of its 2 x 2 block (inf - inf), where the direct sum
 * keeps them finite, so chunks holding one, and calls with such a weight, take the implicit GEMM instead.
 *
 * <p>On Zen 5, conv2 of the demo CNN ({@code [128, 32, 14, 14] -> 64} channels), one thread: 4.9-5.1 ms against
 * 6.7-7.2 ms for the implicit GEMM at 16 lanes, 12.5 against 14.3 ms at 8 lanes (docs/bench.md, "Winograd").
 */
final class Winograd {
    private Winograd() {}

    private static final VectorSpecies<Float> S = GemmKernels.S;
    private static final int L = S.length();
    /** {@code -Dember.conv.winograd=false} turns it off (the implicit GEMM of {@link ConvGemm} then runs). */
    static final boolean ENABLED = Simd.AVAILABLE && !"false".equalsIgnoreCase(System.getProperty("ember.conv.winograd"));
    /** Tiles per chunk, about: enough columns for the GEMM's strips, few enough that V and M stay in the L2 cache. */
    static final int CHUNK_TILES = Integer.getInteger("ember.conv.winogradTiles", 128);

    /**
     * Whether {@link #forward} computes this convolution: 3 x 3, stride 1, dilation 1, padding 1, at least 16 input and
     * output channels (with fewer, the 16 products are too thin to gain on the direct method), and planes wide enough
     * that at least 3/4 of the columns of V are tiles ({@link Plan}'s layouts give a tile row L/2 columns, or whole
     * vectors). On planes of 8 x 8 at 16 lanes, half of them, the GEMM did twice the work and lost to the direct method
     * (128 channels: 2.7 against 1.8 ms; 4 x 4 with 256: 6.7 against 2.9 ms; Zen 5, one thread).
     */
    static boolean supports(ConvGeometry g, int cin, int cout) {
        int tilesW = (g.inW() + 1) / 2, slot = tilesW <= L / 2 ? L / 2 : (tilesW + L - 1) / L * L;
        return ENABLED && g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.padH() == 1 && g.padW() == 1 && cin >= 16 && cout >= 16
                && g.inH() >= 2 && 4 * tilesW >= 3 * slot;
    }

    /** Even and odd lanes of a pair of vectors: {@link SimdKernels#EVEN}, {@link SimdKernels#ODD}, {@link SimdKernels#HIGH}. */
    private static final VectorShuffle<Float> EVEN = SimdKernels.EVEN, ODD = SimdKernels.ODD;
    private static final VectorMask<Float> HIGH = SimdKernels.HIGH;
    /** Interleaving: {@code ZIP_LO} spreads lanes 0 .. L/2 - 1 to the even and odd positions, {@code ZIP_HI} the rest. */
    private static final VectorShuffle<Float> ZIP_LO = zip(0), ZIP_HI = zip(L / 2);
    private static final VectorMask<Float> ODD_LANES = oddLanes();

    private static VectorShuffle<Float> zip(int first) {
        int[] at = new int[L];
        for (int k = 0; k < L; k++) at[k] = first + k / 2;
        return VectorShuffle.fromArray(S, at, 0);
    }

    private static VectorMask<Float> oddLanes() {
        boolean[] on = new boolean[L];
        for (int k = 0; k < L; k++) on[k] = k % 2 == 1;
        return VectorMask.fromArray(S, on, 0);
    }

    /** Per-thread buffers: padded images, the transformed input V and the products M of one chunk, one output row. */
    private static final class Scratch {
        float[] padded = new float[0], v = new float[0], m = new float[0], u = new float[0], ut = new float[0], dy = new float[0],
                keep = new float[0];
        final float[] row = new float[3 * L], tile = new float[GemmKernels.MR * GemmKernels.NR];

        float[] padded(int n) { if (padded.length < n) padded = new float[n]; return padded; }
        float[] v(int n) { if (v.length < n) v = new float[n]; return v; }
        float[] m(int n) { if (m.length < n) m = new float[n]; return m; }
        float[] u(int n) { if (u.length < n) u = new float[n]; return u; }
        float[] ut(int n) { if (ut.length < n) ut = new float[n]; return ut; }
        float[] dy(int n) { if (dy.length < n) dy = new float[n]; return dy; }

        /**
         * Lane weights, 1 for a tile and 0 for a dropped column: {@code [0, L)} for two tile rows, {@code [L, 2 L)} for
         * the first only, {@code [(2 + q) L, ...)} for group q of an unpaired row.
         */
        float[] keep(Plan p) {
            int n = (2 + p.groups) * L;
            if (keep.length < n) keep = new float[n];
            for (int k = 0; k < L; k++) {
                keep[k] = k % (L / 2) < p.tilesW ? 1f : 0f;
                keep[L + k] = k < L / 2 && k < p.tilesW ? 1f : 0f;
            }
            for (int q = 0; q < p.groups; q++)
                for (int k = 0; k < L; k++) keep[(2 + q) * L + k] = q * L + k < p.tilesW ? 1f : 0f;
            return keep;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final int MR = GemmKernels.MR, NR = GemmKernels.NR;

    /** Fills the calling thread's buffers with NaN (tests: a value that a call reads before writing shows up). */
    static void poisonScratch(int floats) {
        Scratch s = SCRATCH.get();
        for (float[] a : new float[][]{s.padded(floats), s.v(floats), s.m(floats), s.dy(floats)}) java.util.Arrays.fill(a, Float.NaN);
    }

    /**
     * The sizes of one call. Tiles are numbered by tile row (image by image, top to bottom) and map to the columns of
     * V and M: with at most L/2 tiles per row ({@code pair}), two tile rows share a vector, at columns
     * {@code [0, L/2)} and {@code [L/2, L)} of its L; otherwise a tile row takes {@code groups} vectors. The columns past
     * a row's tiles are computed and dropped.
     */
    private record Plan(int n, int cin, int cout, int h, int w, int tilesH, int tilesW, boolean pair, int groups, int padW,
                        int padH, int imagesPerChunk, int maxCols, int vStride, int kcb, int mTiles) {
        static Plan of(int n, int cin, int cout, ConvGeometry g) {
            int h = g.inH(), w = g.inW(), tilesH = (h + 1) / 2, tilesW = (w + 1) / 2;
            boolean pair = tilesW <= L / 2;
            int groups = pair ? 1 : (tilesW + L - 1) / L;
            // The loads of a vector read padded columns [2 q L, 2 q L + L + 2), twice over in the unpaired layout.
            int padW = pair ? L + 2 : 2 * groups * L + 2, padH = 2 * tilesH + 2;
            int perImage = tilesH * tilesW, images = Math.max(1, Math.min(n, (CHUNK_TILES + perImage / 2) / perImage));
            int maxCols = columns(pair, groups, images * tilesH), strips = (maxCols + NR - 1) / NR;
            return new Plan(n, cin, cout, h, w, tilesH, tilesW, pair, groups, padW, padH, images, maxCols, skew(cin * strips * NR),
                    SimdGemm.depthBlock(cin), (cout + MR - 1) / MR);
        }

        /**
         * A point stride of at least {@code n} floats, 64 bytes past a multiple of 4 KiB: the 16 points of a tile are read
         * and written together, and at a multiple of 4 KiB apart (32 channels of 3 strips of 64: 24 KiB) all 16 fall in
         * the same L1 set, which holds 12 lines; the transforms ran 3-5 times slower (Zen 5). Skewed, each has its own.
         */
        static int skew(int n) { return (n + 1023) / 1024 * 1024 + 16; }

        /**
         * Columns of V and M for {@code tileRows} tile rows, rounded up to the narrowest kernel width (2 vectors at 8 lanes),
         * so that the last strip has a kernel of its own width and does not go through the GEMM's partial-tile copy.
         */
        static int columns(boolean pair, int groups, int tileRows) {
            int unit = GemmKernels.stripWidth(1);
            return (written(pair, groups, tileRows) + unit - 1) / unit * unit;
        }

        /** The columns that the transforms write for {@code tileRows} tile rows. */
        static int written(boolean pair, int groups, int tileRows) { return pair ? (tileRows + 1) / 2 * L : tileRows * groups * L; }

        int chunks() { return (n + imagesPerChunk - 1) / imagesPerChunk; }

        /** Where column {@code col} of row {@code ci} of point xi's V sits: strips of NR columns, packed as the GEMM reads them. */
        int v(int xi, int col, int ci, int cols) {
            int s = col / NR;
            return xi * vStride + s * cin * NR + ci * GemmKernels.stripWidth(Math.min(NR, cols - s * NR)) + col % NR;
        }
    }

    /**
     * {@code out[img, co] = bias[co] + sum over ci of conv(x[img, ci], w[co, ci])}, with x {@code [n, cin, inH, inW]} at
     * strides {@code xs}, w contiguous {@code [cout, cin, 3, 3]}, bias (or null) at stride {@code biasStride}, out
     * contiguous {@code [n, cout, inH, inW]} and overwritten. Requires {@link #supports}.
     */
    static void forward(float[] x, int xo, int[] xs, int n, int cin, float[] w, int wo, int cout, float[] bias, int biasO,
                        int biasStride, ConvGeometry g, float[] out, int oo) {
        Plan p = Plan.of(n, cin, cout, g);
        Scratch own = SCRATCH.get();
        float[] u = transformWeights(w, wo, cin, cout, own);
        if (u == null) { // an infinite or NaN weight: see chunk()
            ConvGemm.implicitGemm(x, xo, xs, n, cin, w, wo, cout, bias, biasO, biasStride, g, out, oo);
            return;
        }
        // U of each point, packed once for every chunk: point xi's depth block at pc from up[xi * mTiles * MR * cin + ...].
        int perPoint = p.mTiles * MR * cin;
        float[] up = own.ut(16 * perPoint);
        for (int xi = 0; xi < 16; xi++)
            for (int pc = 0; pc < cin; pc += p.kcb)
                GemmPacking.packA(u, xi * cout * cin + pc, cin, 1, Math.min(p.kcb, cin - pc), cout, 0, p.mTiles, up,
                        xi * perPoint + p.mTiles * MR * pc);
        Parallel.forRange(p.chunks(), 1, (c0, c1) -> {
            Scratch s = SCRATCH.get();
            for (int c = c0; c < c1; c++) chunk(p, c, x, xo, xs, w, wo, g, up, bias, biasO, biasStride, out, oo, s);
        });
    }

    /** {@code U[xi][co][ci] = (G g G^T)[xi]} for every kernel, in the calling thread's scratch; null if a weight is not finite. */
    private static float[] transformWeights(float[] w, int wo, int cin, int cout, Scratch s) {
        float[] u = s.u(16 * cout * cin);
        int stride = cout * cin;
        float[] gg = new float[12];
        float check = 0f;
        for (int co = 0; co < cout; co++)
            for (int ci = 0; ci < cin; ci++) {
                int k = wo + (co * cin + ci) * 9;
                // G g: rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2 of the kernel's rows
                for (int j = 0; j < 3; j++) {
                    float g0 = w[k + j], g1 = w[k + 3 + j], g2 = w[k + 6 + j];
                    check += (g0 - g0) + (g1 - g1) + (g2 - g2); // NaN once any is infinite or NaN
                    gg[j] = g0;
                    gg[3 + j] = 0.5f * (g0 + g1 + g2);
                    gg[6 + j] = 0.5f * (g0 - g1 + g2);
                    gg[9 + j] = g2;
                }
                // (G g) G^T: the same on the columns
                int at = co * cin + ci;
                for (int i = 0; i < 4; i++) {
                    float a = gg[3 * i], b = gg[3 * i + 1], c = gg[3 * i + 2];
                    u[(4 * i) * stride + at] = a;
                    u[(4 * i + 1) * stride + at] = 0.5f * (a + b + c);
                    u[(4 * i + 2) * stride + at] = 0.5f * (a - b + c);
                    u[(4 * i + 3) * stride + at] = c;
                }
            }
        return check == 0f ? u : null;
    }

    /** Padded rows combined by B^T, as {@code (first, second)} row offsets within a tile: d0 - d2, d1 + d2, d2 - d1, d1 - d3. */
    private static final int[] FIRST = {0, 1, 2, 1}, SECOND = {2, 2, 1, 3};

    /** One chunk: pad its images, transform them into V, multiply by U into M, transform M into the output. */
    private static void chunk(Plan p, int c, float[] x, int xo, int[] xs, float[] w, int wo, ConvGeometry g, float[] up,
                              float[] bias, int biasO, int biasStride, float[] out, int oo, Scratch s) {
        int img0 = c * p.imagesPerChunk, images = Math.min(p.imagesPerChunk, p.n - img0), rows = images * p.tilesH;
        int cols = Plan.columns(p.pair, p.groups, rows), plane = p.padH * p.padW;
        float[] padded = s.padded(images * p.cin * plane);
        if (!pad(p, x, xo, xs, img0, images, padded)) {
            // An infinite or NaN input would spread through the transforms to the tile's other outputs (inf - inf),
            // where the direct sum keeps them finite: such images take the implicit GEMM, which has PyTorch's results.
            ConvGemm.implicitGemm(x, xo + img0 * xs[0], xs, images, p.cin, w, wo, p.cout, bias, biasO, biasStride, g, out,
                    oo + img0 * p.cout * p.h * p.w);
            return;
        }
        float[] v = s.v(16 * p.vStride);
        transformInput(p, padded, rows, v, p.vStride, cols, true);
        int ldm = p.maxCols, perPoint = p.mTiles * MR * p.cin, strips = (cols + NR - 1) / NR, ms = Plan.skew(p.cout * ldm);
        float[] m = s.m(16 * ms);
        for (int xi = 0; xi < 16; xi++)
            for (int st = 0; st < strips; st++)
                for (int pc = 0; pc < p.cin; pc += p.kcb)
                    SimdGemm.tiles(p.cout, cols, Math.min(p.kcb, p.cin - pc), up, xi * perPoint + p.mTiles * MR * pc, 0, 0,
                            p.mTiles, v, p.v(xi, st * NR, pc, cols), st, m, xi * ms, ldm, 1, pc > 0, null, s.tile);
        for (int co = 0; co < p.cout; co++) {
            float b = bias == null ? 0f : bias[biasO + co * biasStride];
            if (p.pair) for (int r = 0; r < rows; r += 2) outputPair(p, m, co * ldm + r / 2 * L, ms, b, out, oo, img0, co, r, rows, s.row);
            else for (int r = 0; r < rows; r++) outputRow(p, m, co * ldm + r * p.groups * L, ms, b, out, oo, img0, co, r, s.row);
        }
    }

    /**
     * {@code V = B^T d B} of the chunk's {@code rows} tile rows, every channel, from {@code padded}: point xi of column col
     * and channel ci at {@code v[xi * vStride + a]}, with a = {@link Plan#v} (packed B strips, {@code packed}) or
     * {@code ci * cols + col} (plain rows).
     */
    private static void transformInput(Plan p, float[] padded, int rows, float[] v, int vStride, int cols, boolean packed) {
        int plane = p.padH * p.padW, pw = p.padW;
        for (int ci = 0; ci < p.cin; ci++) {
            if (p.pair) {
                for (int r = 0; r < rows; r += 2) {
                    int topA = top(p, ci, r, plane), topB = top(p, ci, Math.min(r + 1, rows - 1), plane), col = r / 2 * L;
                    int at = packed ? p.v(0, col, ci, cols) : ci * cols + col;
                    for (int k = 0; k < 4; k++)
                        inputColumns(padded, topA + FIRST[k] * pw, topA + SECOND[k] * pw, topB + FIRST[k] * pw,
                                topB + SECOND[k] * pw, k == 1 ? 1f : -1f, v, at + 4 * k * vStride, vStride);
                }
            } else {
                for (int r = 0; r < rows; r++)
                    for (int q = 0; q < p.groups; q++) {
                        int t = top(p, ci, r, plane) + 2 * q * L, col = (r * p.groups + q) * L;
                        int at = packed ? p.v(0, col, ci, cols) : ci * cols + col;
                        for (int k = 0; k < 4; k++)
                            inputColumns(padded, t + FIRST[k] * pw, t + SECOND[k] * pw, t + FIRST[k] * pw + L,
                                    t + SECOND[k] * pw + L, k == 1 ? 1f : -1f, v, at + 4 * k * vStride, vStride);
                    }
            }
        }
    }

    /** Padded index of tile row r's top-left corner, in channel ci. */
    private static int top(Plan p, int ci, int r, int plane) {
        return (r / p.tilesH * p.cin + ci) * plane + 2 * (r % p.tilesH) * p.padW;
    }

    /**
     * Copies the chunk's images into {@code padded}: per image and channel, a zero border of one row and column; returns
     * false if a value is infinite or NaN. Rows go across as whole vectors (a 14-float {@code arraycopy} per row cost
     * more than the transform): the lanes past a row's end carry the next row's values, and are then cleared with the
     * rest of the row's right border, so every padded value is defined. (They take part in the check, so a non-finite
     * value just past the tensor only costs the faster path.)
     */
    private static boolean pad(Plan p, float[] x, int xo, int[] xs, int img0, int images, float[] padded) {
        int pw = p.padW, plane = p.padH * pw, w = p.w;
        var check = FloatVector.zero(S);
        float scalarCheck = 0f;
        for (int i = 0; i < images; i++)
            for (int ci = 0; ci < p.cin; ci++) {
                int src = xo + (img0 + i) * xs[0] + ci * xs[1], base = (i * p.cin + ci) * plane;
                java.util.Arrays.fill(padded, base, base + pw, 0f);
                java.util.Arrays.fill(padded, base + (p.h + 1) * pw, base + plane, 0f);
                for (int y = 0; y < p.h; y++) {
                    int s = src + y * xs[2], d = base + (y + 1) * pw;
                    padded[d] = 0f;
                    if (xs[3] == 1 && s + (w + L - 1) / L * L <= x.length) {
                        for (int c = 0; c < w; c += L) {
                            var v = FloatVector.fromArray(S, x, s + c);
                            check = check.add(v.sub(v)); // v - v is NaN exactly where v is not finite
                            v.intoArray(padded, d + 1 + c);
                        }
                    } else {
                        for (int c = 0; c < w; c++) {
                            float v = x[s + c * xs[3]];
                            scalarCheck += v - v;
                            padded[d + 1 + c] = v;
                        }
                    }
                    for (int c = w + 1; c < pw; c++) padded[d + c] = 0f;
                }
            }
        return scalarCheck == 0f && check.reduceLanes(jdk.incubator.vector.VectorOperators.ADD) == 0f;
    }

    /**
     * One row of {@code B^T d} ({@code d_a + sign * d_b}) for L tiles, times B: its columns 2t .. 2t + 3 combined as
     * {@code (c0 - c2, c1 + c2, c2 - c1, c1 - c3)}, stored at {@code v[at + j * stride]}. The tiles' even and odd
     * columns come from two pairs of loads, rows a and b at {@code [aLo, bLo]} for the first L/2 tiles and
     * {@code [aHi, bHi]} for the rest, each L columns and again 2 further on. (The sign goes through a fused multiply-add,
     * exact for +-1: a vector chosen by a branch would be boxed by C2.)
     */
    private static void inputColumns(float[] padded, int aLo, int bLo, int aHi, int bHi, float sign, float[] v, int at,
                                     int stride) {
        var sg = FloatVector.broadcast(S, sign);
        var lo = FloatVector.fromArray(S, padded, bLo).fma(sg, FloatVector.fromArray(S, padded, aLo));
        var hi = FloatVector.fromArray(S, padded, bHi).fma(sg, FloatVector.fromArray(S, padded, aHi));
        var lo2 = FloatVector.fromArray(S, padded, bLo + 2).fma(sg, FloatVector.fromArray(S, padded, aLo + 2));
        var hi2 = FloatVector.fromArray(S, padded, bHi + 2).fma(sg, FloatVector.fromArray(S, padded, aHi + 2));
        var c0 = lo.rearrange(EVEN).blend(hi.rearrange(EVEN), HIGH);     // column 2t
        var c1 = lo.rearrange(ODD).blend(hi.rearrange(ODD), HIGH);       // 2t + 1
        var c2 = lo2.rearrange(EVEN).blend(hi2.rearrange(EVEN), HIGH);   // 2t + 2
        var c3 = lo2.rearrange(ODD).blend(hi2.rearrange(ODD), HIGH);     // 2t + 3
        c0.sub(c2).intoArray(v, at);
        c1.add(c2).intoArray(v, at + stride);
        c2.sub(c1).intoArray(v, at + 2 * stride);
        c1.sub(c3).intoArray(v, at + 3 * stride);
    }

    /**
     * Row {@code sub} of {@code A^T M A + bias} for the L tiles whose 16 points are at {@code m[t + xi * stride]}, output
     * columns 2t and 2t + 1 interleaved: the first L/2 tiles' go to {@code lo[oLo]}, the rest to {@code out[oHi]} (none
     * when negative). Each is a whole vector where it ends before its plane does ({@code endLo}, {@code endHi}) and
     * {@code exactLo} is not set, else only its {@code validLo}/{@code validHi} floats, through {@code row}. One method
     * with every load written out, so that C2 keeps all vectors in registers.
     */
    private static void outputTiles(float[] m, int t, int stride, int sub, float bias, float[] lo, int oLo, int endLo,
                                    int validLo, boolean exactLo, float[] out, int oHi, int endHi, int validHi, float[] row) {
        // row sub of A^T M, columns 0..3: M0j + M1j + M2j (sub 0) or M1j - M2j - M3j (sub 1)
        int first = sub == 0 ? 0 : 12;
        var sg = FloatVector.broadcast(S, sub == 0 ? 1f : -1f);
        var s0 = FloatVector.fromArray(S, m, t + 4 * stride).add(FloatVector.fromArray(S, m, t + 8 * stride).mul(sg))
                .add(FloatVector.fromArray(S, m, t + first * stride).mul(sg));
        var s1 = FloatVector.fromArray(S, m, t + 5 * stride).add(FloatVector.fromArray(S, m, t + 9 * stride).mul(sg))
                .add(FloatVector.fromArray(S, m, t + (first + 1) * stride).mul(sg));
        var s2 = FloatVector.fromArray(S, m, t + 6 * stride).add(FloatVector.fromArray(S, m, t + 10 * stride).mul(sg))
                .add(FloatVector.fromArray(S, m, t + (first + 2) * stride).mul(sg));
        var s3 = FloatVector.fromArray(S, m, t + 7 * stride).add(FloatVector.fromArray(S, m, t + 11 * stride).mul(sg))
                .add(FloatVector.fromArray(S, m, t + (first + 3) * stride).mul(sg));
        var bv = FloatVector.broadcast(S, bias);
        var left = s0.add(s1).add(s2).add(bv);   // column 2t
        var right = s1.sub(s2).sub(s3).add(bv);  // 2t + 1
        var first2 = left.rearrange(ZIP_LO).blend(right.rearrange(ZIP_LO), ODD_LANES);
        if (!exactLo && oLo + L <= endLo) {
            first2.intoArray(lo, oLo);
        } else {
            first2.intoArray(row, 0);
            System.arraycopy(row, 0, lo, oLo, validLo);
        }
        if (oHi < 0) return;
        var second = left.rearrange(ZIP_HI).blend(right.rearrange(ZIP_HI), ODD_LANES);
        if (oHi + L <= endHi) {
            second.intoArray(out, oHi);
        } else {
            second.intoArray(row, 0);
            System.arraycopy(row, 0, out, oHi, validHi);
        }
    }

    /**
     * Tile rows r and r + 1 (if below {@code rows}) of output channel co, sharing the vectors at {@code m[at + ...]}:
     * the low half of each interleaved result is row r's, the high half row r + 1's. A whole-vector store runs past
     * its row into the next one, which must be written after it: each output row is, except row r's second, which
     * runs into row r + 1's first and so is written exactly.
     */
    private static void outputPair(Plan p, float[] m, int at, int stride, float bias, float[] out, int oo, int img0, int co,
                                   int r, int rows, float[] row) {
        int w = p.w, y0 = 2 * (r % p.tilesH), y1 = 2 * ((r + 1) % p.tilesH), dst0 = plane(p, oo, img0, co, r);
        boolean second = r + 1 < rows;
        int dst1 = second ? plane(p, oo, img0, co, r + 1) : 0, end0 = dst0 + p.h * w, end1 = dst1 + p.h * w;
        for (int sub = 0; sub < 2; sub++) {
            boolean hasLo = y0 + sub < p.h, hasHi = second && y1 + sub < p.h;
            if (!hasLo && !hasHi) continue;
            // row r's output row past an odd height goes into the scratch row's second half and is dropped
            outputTiles(m, at, stride, sub, bias, hasLo ? out : row, hasLo ? dst0 + (y0 + sub) * w : L, hasLo ? end0 : 0,
                    hasLo ? w : L, sub == 1 || !hasLo, out, hasHi ? dst1 + (y1 + sub) * w : -1, end1, w, row);
        }
    }

    /** Tile row r of output channel co (unpaired layout), its vectors at {@code m[at + ...]}: rows in order, each left to right. */
    private static void outputRow(Plan p, float[] m, int at, int stride, float bias, float[] out, int oo, int img0, int co,
                                  int r, float[] row) {
        int dst = plane(p, oo, img0, co, r), y0 = 2 * (r % p.tilesH), end = dst + p.h * p.w;
        for (int sub = 0; sub < 2 && y0 + sub < p.h; sub++)
            for (int q = 0; q < p.groups; q++) {
                int o = dst + (y0 + sub) * p.w + 2 * q * L, valid = p.w - 2 * q * L;
                outputTiles(m, at + q * L, stride, sub, bias, out, o, end, Math.min(L, valid), false, out,
                        valid > L ? o + L : -1, end, valid - L, row);
            }
    }

    /** Start of output channel co's plane for chunk-local tile row r. */
    private static int plane(Plan p, int oo, int img0, int co, int r) {
        return oo + ((img0 + r / p.tilesH) * p.cout + co) * p.h * p.w;
    }


    // ---- the weight gradient ---------------------------------------------------------------------------------------

    /** Partial sums of the weight gradient: a fixed number, so that the order of summation does not depend on threads. */
    private static final int GRAD_PARTS = 8;

    /**
     * {@code dw[co, ci, 3, 3]} (contiguous at {@code dw[dwo]}, overwritten) = the gradient of {@link #forward}'s output
     * {@code gy} (contiguous {@code [n, cout, inH, inW]}) with respect to its weight, for an input x {@code [n, cin, inH,
     * inW]} at strides {@code xs}: {@code dU = sum over tiles of (A dY A^T) . (B^T d B)}, one product
     * {@code dU[cout, cin] += dM[cout, tiles] @ V[cin, tiles]^T} per point and chunk, then {@code dw = G^T dU G}. V and dM
     * have the forward's columns; the tiles are the products' depth here, so dM's columns past them are zeroed (V's are
     * finite: the padded buffer is defined everywhere). Chunk c adds into partial sum c % 8, in chunk order; the
     * partial sums are added in order: the same bits on any thread count. A chunk holding an infinite or NaN value
     * sends the whole call to the direct method ({@link ConvWeightGrad}), which is what PyTorch computes then: this
     * returns false, having written nothing. Requires {@link #supports}.
     */
    static boolean weightGrad(float[] gy, int go, int n, int cout, float[] x, int xo, int[] xs, int cin, ConvGeometry g,
                              float[] dw, int dwo) {
        Plan p = Plan.of(n, cin, cout, g);
        int chunks = p.chunks(), parts = Math.min(chunks, GRAD_PARTS), perPart = 16 * cout * cin;
        Scratch own = SCRATCH.get();
        float[] sums = own.u(parts * perPart);
        java.util.Arrays.fill(sums, 0, parts * perPart, 0f);
        boolean[] bad = new boolean[parts];
        Parallel.forRange(parts, 1, (q0, q1) -> {
            Scratch s = SCRATCH.get();
            for (int q = q0; q < q1; q++)
                for (int c = q; c < chunks && !bad[q]; c += parts)
                    bad[q] = !weightChunk(p, c, gy, go, x, xo, xs, sums, q * perPart, s);
        });
        for (boolean b : bad) if (b) return false;
        for (int q = 1; q < parts; q++)
            for (int i = 0; i < perPart; i++) sums[i] += sums[q * perPart + i];
        int stride = cout * cin;
        float[] t = new float[12];
        for (int k = 0; k < stride; k++) {
            // G^T dU: rows u0 + (u1 + u2) / 2, (u1 - u2) / 2, (u1 + u2) / 2 + u3 of the 4 x 4
            for (int j = 0; j < 4; j++) {
                float u0 = sums[j * stride + k], u1 = sums[(4 + j) * stride + k], u2 = sums[(8 + j) * stride + k],
                        u3 = sums[(12 + j) * stride + k];
                t[j] = u0 + 0.5f * (u1 + u2);
                t[4 + j] = 0.5f * (u1 - u2);
                t[8 + j] = 0.5f * (u1 + u2) + u3;
            }
            // (G^T dU) G: the same on the columns
            int o = dwo + k * 9;
            for (int a = 0; a < 3; a++) {
                float u0 = t[4 * a], u1 = t[4 * a + 1], u2 = t[4 * a + 2], u3 = t[4 * a + 3];
                dw[o + 3 * a] = u0 + 0.5f * (u1 + u2);
                dw[o + 3 * a + 1] = 0.5f * (u1 - u2);
                dw[o + 3 * a + 2] = 0.5f * (u1 + u2) + u3;
            }
        }
        return true;
    }

    /** One chunk's share of dU, added into {@code sums[at ...]}; false if one of its values is not finite. */
    private static boolean weightChunk(Plan p, int c, float[] gy, int go, float[] x, int xo, int[] xs, float[] sums, int at,
                                       Scratch s) {
        int img0 = c * p.imagesPerChunk, images = Math.min(p.imagesPerChunk, p.n - img0), rows = images * p.tilesH;
        // exactly the columns written: here they are the products' depth, and a column left over would add to it
        int cols = Plan.written(p.pair, p.groups, rows), plane = p.padH * p.padW;
        float[] padded = s.padded(images * p.cin * plane);
        if (!pad(p, x, xo, xs, img0, images, padded)) return false;
        // V and dM row-major, [point][channel][column], in the forward's column layout
        int vs = Plan.skew(p.cin * cols), ms = Plan.skew(p.cout * cols);
        float[] v = s.v(16 * vs), m = s.m(16 * ms);
        transformInput(p, padded, rows, v, vs, cols, false);
        // dM = A dY A^T, the columns past the tiles zeroed (they are the products' depth); dY's rows read in place where
        // whole, else copied with zeros after them (an odd width or height leaves a tile half outside the plane)
        float[] keep = s.keep(p), check = s.row, dy = s.dy(Math.max(8 * L, 4 * p.groups * L));
        java.util.Arrays.fill(check, 0, L, 0f);
        int hw = p.h * p.w, w = p.w;
        for (int co = 0; co < p.cout; co++) {
            int mc = co * cols;
            if (p.pair) {
                for (int r = 0; r < rows; r += 2) {
                    boolean second = r + 1 < rows;
                    int a = gradRow(p, gy, go, img0, co, r), b = second ? gradRow(p, gy, go, img0, co, r + 1) : a;
                    int ka = second ? 0 : L; // keep's second row of lanes zeroes the missing tile row's half
                    if (a >= 0 && b >= 0) {
                        gradColumns(gy, a, b, w, m, mc + r / 2 * L, ms, keep, ka, check);
                    } else {
                        gradCopy(p, gy, go, img0, co, r, dy, 0);
                        gradCopy(p, gy, go, img0, co, second ? r + 1 : r, dy, 4 * L);
                        gradColumns(dy, 0, 4 * L, 2 * L, m, mc + r / 2 * L, ms, keep, ka, check);
                    }
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    int a = gradRow(p, gy, go, img0, co, r);
                    for (int q = 0; q < p.groups; q++) {
                        int col = mc + (r * p.groups + q) * L, kq = (2 + q) * L;
                        if (a >= 0) {
                            gradColumns(gy, a + 2 * q * L, a + 2 * q * L + L, w, m, col, ms, keep, kq, check);
                        } else {
                            gradCopy(p, gy, go, img0, co, r, dy, 0);
                            gradColumns(dy, 2 * q * L, 2 * q * L + L, 2 * p.groups * L, m, col, ms, keep, kq, check);
                        }
                    }
                }
            }
        }
        float finite = 0f;
        for (int k = 0; k < L; k++) finite += check[k];
        if (finite != 0f) return false;
        for (int xi = 0; xi < 16; xi++)
            SimdGemm.gemm(p.cout, p.cin, cols, m, xi * ms, cols, 1, v, xi * vs, 1, cols, sums, at + xi * p.cout * p.cin, p.cin,
                    true, false);
        return true;
    }

    /**
     * Where chunk-local tile row r's first dY row starts in {@code gy}, if both of its rows can be read in place (an even
     * width, both rows inside the plane, and every vector load inside the array), else -1.
     */
    private static int gradRow(Plan p, float[] gy, int go, int img0, int co, int r) {
        int y0 = 2 * (r % p.tilesH), row = go + ((img0 + r / p.tilesH) * p.cout + co) * p.h * p.w + y0 * p.w;
        int reach = p.pair ? L : 2 * p.groups * L;
        return p.w % 2 == 0 && y0 + 1 < p.h && row + p.w + reach <= gy.length ? row : -1;
    }

    /** Tile row r's two dY rows copied to {@code dy[d]} and {@code dy[d + width]}, zeros after them; width 2 L (pairs) or 2 groups L. */
    private static void gradCopy(Plan p, float[] gy, int go, int img0, int co, int r, float[] dy, int d) {
        int y0 = 2 * (r % p.tilesH), row = go + ((img0 + r / p.tilesH) * p.cout + co) * p.h * p.w + y0 * p.w;
        int width = p.pair ? 2 * L : 2 * p.groups * L;
        java.util.Arrays.fill(dy, d, d + 2 * width, 0f);
        System.arraycopy(gy, row, dy, d, p.w);
        if (y0 + 1 < p.h) System.arraycopy(gy, row + p.w, dy, d + width, p.w);
    }

    /**
     * {@code dM = A dY A^T} for L tiles, their two dY rows at {@code [lo, lo + rowStride]} for the first L/2 tiles and
     * {@code [hi, hi + rowStride]} for the rest (L floats each; the tiles' columns are each vector's even and odd lanes),
     * times {@code keep[k ...]} (1 for a tile, 0 past them); point {@code 4 i + j} to {@code m[at + (4 i + j) * stride]}.
     * Rows of A: (1, 0), (1, 1), (1, -1), (0, -1). Adds {@code dY - dY} (NaN where dY is not finite) into
     * {@code check[0, L)}: a vector argument or result would be boxed where C2 does not inline the call.
     */
    private static void gradColumns(float[] dy, int lo, int hi, int rowStride, float[] m, int at, int stride, float[] keep,
                                    int k, float[] check) {
        var kv = FloatVector.fromArray(S, keep, k);
        var r0lo = FloatVector.fromArray(S, dy, lo);
        var r0hi = FloatVector.fromArray(S, dy, hi);
        var r1lo = FloatVector.fromArray(S, dy, lo + rowStride);
        var r1hi = FloatVector.fromArray(S, dy, hi + rowStride);
        var a0 = r0lo.rearrange(EVEN).blend(r0hi.rearrange(EVEN), HIGH);   // row 2ty, column 2t
        var a1 = r0lo.rearrange(ODD).blend(r0hi.rearrange(ODD), HIGH);     // row 2ty, column 2t + 1
        var b0 = r1lo.rearrange(EVEN).blend(r1hi.rearrange(EVEN), HIGH);   // row 2ty + 1
        var b1 = r1lo.rearrange(ODD).blend(r1hi.rearrange(ODD), HIGH);
        a0.sub(a0).add(a1.sub(a1)).add(b0.sub(b0)).add(b1.sub(b1)).add(FloatVector.fromArray(S, check, 0)).intoArray(check, 0);
        a0 = a0.mul(kv);
        a1 = a1.mul(kv);
        b0 = b0.mul(kv);
        b1 = b1.mul(kv);
        var f0 = a0.add(b0);
        var f1 = a1.add(b1);
        var g0 = a0.sub(b0);
        var g1 = a1.sub(b1);
        a0.intoArray(m, at);
        a0.add(a1).intoArray(m, at + stride);
        a0.sub(a1).intoArray(m, at + 2 * stride);
        a1.neg().intoArray(m, at + 3 * stride);
        f0.intoArray(m, at + 4 * stride);
        f0.add(f1).intoArray(m, at + 5 * stride);
        f0.sub(f1).intoArray(m, at + 6 * stride);
        f1.neg().intoArray(m, at + 7 * stride);
        g0.intoArray(m, at + 8 * stride);
        g0.add(g1).intoArray(m, at + 9 * stride);
        g0.sub(g1).intoArray(m, at + 10 * stride);
        g1.neg().intoArray(m, at + 11 * stride);
        b0.neg().intoArray(m, at + 12 * stride);
        b0.add(b1).neg().intoArray(m, at + 13 * stride);
        b1.sub(b0).intoArray(m, at + 14 * stride);
        b1.intoArray(m, at + 15 * stride);
    }
}
