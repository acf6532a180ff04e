import jdk.incubator.vector.*;
import java.lang.invoke.VarHandle;
import java.util.*;

/**
 * 8-lane (AVX2) GEMM register tiles side by side in one JVM: each kernel computes C[MC x 1008] += A[MC x KC] B[KC x 1008]
 * from operands packed for its shape (A in tiles of its rows, B in strips of its width), C in memory as in a product,
 * in alternating turns of 0.3 s; prints each kernel's error against a float64 product and its median GFLOP/s.
 * Kernels: 2x6 (Ember's 8-lane tile until 2026-12-08), 6x2 plain, 6x2f (a load fence after each row: Ember's since),
 * 6x2t (fenced, A read from three 2-row tiles), 6x2h (a fence every second row), 4x3f.
 *
 * <pre>
 *   taskset -c 1 java --add-modules jdk.incubator.vector -XX:ActiveProcessorCount=2 [-XX:-OptoRegScheduling] \
 *       [-Dkc=256] [-Dmc=96] [-Dk=2x6,6x2f] [-Dturns=12] benchmarks/tools/kernel-shapes/KernelShapes.java
 * </pre>
 */
public class KernelShapes {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = 8;
    static int MC = Integer.getInteger("mc", 96), KC = Integer.getInteger("kc", 256), N = 1008;

    // 2 x 6: A 2 floats/k, B 48/k
    static void k2x6(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c02 = z; var c03 = z; var c04 = z; var c05 = z;
        var c10 = z; var c11 = z; var c12 = z; var c13 = z; var c14 = z; var c15 = z;
        for (int a = ao, b = bo, end = ao + 2 * kc; a < end; a += 2, b += 6 * L) {
            var b0 = FloatVector.fromArray(S, bp, b); var b1 = FloatVector.fromArray(S, bp, b + L);
            var b2 = FloatVector.fromArray(S, bp, b + 2 * L); var b3 = FloatVector.fromArray(S, bp, b + 3 * L);
            var b4 = FloatVector.fromArray(S, bp, b + 4 * L); var b5 = FloatVector.fromArray(S, bp, b + 5 * L);
            var a0 = FloatVector.broadcast(S, ap[a]); c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03); c04 = a0.fma(b4, c04); c05 = a0.fma(b5, c05);
            var a1 = FloatVector.broadcast(S, ap[a + 1]); c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13); c14 = a1.fma(b4, c14); c15 = a1.fma(b5, c15);
        }
        c00.add(FloatVector.fromArray(S, c, co)).intoArray(c, co); c01.add(FloatVector.fromArray(S, c, co + L)).intoArray(c, co + L);
        c02.add(FloatVector.fromArray(S, c, co + 2*L)).intoArray(c, co + 2*L); c03.add(FloatVector.fromArray(S, c, co + 3*L)).intoArray(c, co + 3*L);
        c04.add(FloatVector.fromArray(S, c, co + 4*L)).intoArray(c, co + 4*L); c05.add(FloatVector.fromArray(S, c, co + 5*L)).intoArray(c, co + 5*L);
        int d = co + ldc;
        c10.add(FloatVector.fromArray(S, c, d)).intoArray(c, d); c11.add(FloatVector.fromArray(S, c, d + L)).intoArray(c, d + L);
        c12.add(FloatVector.fromArray(S, c, d + 2*L)).intoArray(c, d + 2*L); c13.add(FloatVector.fromArray(S, c, d + 3*L)).intoArray(c, d + 3*L);
        c14.add(FloatVector.fromArray(S, c, d + 4*L)).intoArray(c, d + 4*L); c15.add(FloatVector.fromArray(S, c, d + 5*L)).intoArray(c, d + 5*L);
    }

    // 6 x 2 plain: A 6 floats/k, B 16/k
    static void k6x2(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c10 = z; var c11 = z; var c20 = z; var c21 = z;
        var c30 = z; var c31 = z; var c40 = z; var c41 = z; var c50 = z; var c51 = z;
        for (int a = ao, b = bo, end = ao + 6 * kc; a < end; a += 6, b += 2 * L) {
            var b0 = FloatVector.fromArray(S, bp, b); var b1 = FloatVector.fromArray(S, bp, b + L);
            var x = FloatVector.broadcast(S, ap[a]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        st2(c, co, c00, c01); st2(c, co + ldc, c10, c11); st2(c, co + 2*ldc, c20, c21);
        st2(c, co + 3*ldc, c30, c31); st2(c, co + 4*ldc, c40, c41); st2(c, co + 5*ldc, c50, c51);
    }

    // 6 x 2 fenced
    static void k6x2f(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c10 = z; var c11 = z; var c20 = z; var c21 = z;
        var c30 = z; var c31 = z; var c40 = z; var c41 = z; var c50 = z; var c51 = z;
        for (int a = ao, b = bo, end = ao + 6 * kc; a < end; a += 6, b += 2 * L) {
            var b0 = FloatVector.fromArray(S, bp, b); var b1 = FloatVector.fromArray(S, bp, b + L);
            var x = FloatVector.broadcast(S, ap[a]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            VarHandle.loadLoadFence();
        }
        st2(c, co, c00, c01); st2(c, co + ldc, c10, c11); st2(c, co + 2*ldc, c20, c21);
        st2(c, co + 3*ldc, c30, c31); st2(c, co + 4*ldc, c40, c41); st2(c, co + 5*ldc, c50, c51);
    }

    static void st2(float[] c, int o, FloatVector x, FloatVector y) {
        x.add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        y.add(FloatVector.fromArray(S, c, o + L)).intoArray(c, o + L);
    }

    // 4 x 3 fenced: A 4/k, B 24/k
    static void k4x3f(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c02 = z; var c10 = z; var c11 = z; var c12 = z;
        var c20 = z; var c21 = z; var c22 = z; var c30 = z; var c31 = z; var c32 = z;
        for (int a = ao, b = bo, end = ao + 4 * kc; a < end; a += 4, b += 3 * L) {
            var b0 = FloatVector.fromArray(S, bp, b); var b1 = FloatVector.fromArray(S, bp, b + L); var b2 = FloatVector.fromArray(S, bp, b + 2*L);
            var x = FloatVector.broadcast(S, ap[a]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32);
            VarHandle.loadLoadFence();
        }
        st3(c, co, c00, c01, c02); st3(c, co + ldc, c10, c11, c12); st3(c, co + 2*ldc, c20, c21, c22); st3(c, co + 3*ldc, c30, c31, c32);
    }
    static void st3(float[] c, int o, FloatVector x, FloatVector y, FloatVector w) {
        x.add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
        y.add(FloatVector.fromArray(S, c, o + L)).intoArray(c, o + L);
        w.add(FloatVector.fromArray(S, c, o + 2*L)).intoArray(c, o + 2*L);
    }


    // 6 x 2 fenced, A as three 2-row tiles (stride ts = 2*kc)
    static void k6x2t(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c10 = z; var c11 = z; var c20 = z; var c21 = z;
        var c30 = z; var c31 = z; var c40 = z; var c41 = z; var c50 = z; var c51 = z;
        int ts = 2 * kc;
        for (int a = ao, b = bo, end = ao + 2 * kc; a < end; a += 2, b += 2 * L) {
            var b0 = FloatVector.fromArray(S, bp, b); var b1 = FloatVector.fromArray(S, bp, b + L);
            var x = FloatVector.broadcast(S, ap[a]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + ts]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + ts + 1]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 2 * ts]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 2 * ts + 1]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            VarHandle.loadLoadFence();
        }
        st2(c, co, c00, c01); st2(c, co + ldc, c10, c11); st2(c, co + 2*ldc, c20, c21);
        st2(c, co + 3*ldc, c30, c31); st2(c, co + 4*ldc, c40, c41); st2(c, co + 5*ldc, c50, c51);
    }
    // 6 x 2, fence every second row
    static void k6x2h(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc) {
        var z = FloatVector.zero(S);
        var c00 = z; var c01 = z; var c10 = z; var c11 = z; var c20 = z; var c21 = z;
        var c30 = z; var c31 = z; var c40 = z; var c41 = z; var c50 = z; var c51 = z;
        for (int a = ao, b = bo, end = ao + 6 * kc; a < end; a += 6, b += 2 * L) {
            var b0 = FloatVector.fromArray(S, bp, b); var b1 = FloatVector.fromArray(S, bp, b + L);
            var x = FloatVector.broadcast(S, ap[a]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            var y = FloatVector.broadcast(S, ap[a + 1]); c10 = y.fma(b0, c10); c11 = y.fma(b1, c11);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            y = FloatVector.broadcast(S, ap[a + 3]); c30 = y.fma(b0, c30); c31 = y.fma(b1, c31);
            VarHandle.loadLoadFence();
            x = FloatVector.broadcast(S, ap[a + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            y = FloatVector.broadcast(S, ap[a + 5]); c50 = y.fma(b0, c50); c51 = y.fma(b1, c51);
            VarHandle.loadLoadFence();
        }
        st2(c, co, c00, c01); st2(c, co + ldc, c10, c11); st2(c, co + 2*ldc, c20, c21);
        st2(c, co + 3*ldc, c30, c31); st2(c, co + 4*ldc, c40, c41); st2(c, co + 5*ldc, c50, c51);
    }
    // packs: A[m][k] row-major, B[k][n]
    static float[] packA(float[] A, int mr) { // tiles of mr rows: per tile kc*mr
        float[] p = new float[MC * KC];
        for (int t = 0; t < MC / mr; t++) for (int k = 0; k < KC; k++) for (int r = 0; r < mr; r++)
            p[t * mr * KC + k * mr + r] = A[(t * mr + r) * KC + k];
        return p;
    }
    static float[] packB(float[] B, int nr) { // strips nr wide: per strip KC*nr
        float[] p = new float[KC * N];
        for (int s = 0; s < N / nr; s++) for (int k = 0; k < KC; k++) for (int j = 0; j < nr; j++)
            p[s * nr * KC + k * nr + j] = B[k * N + s * nr + j];
        return p;
    }
    interface Run { void go(); }
    public static void main(String[] args) {
        Random r = new Random(1);
        float[] A = new float[MC * KC], B = new float[KC * N];
        for (int i = 0; i < A.length; i++) A[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < B.length; i++) B[i] = r.nextFloat() - 0.5f;
        float[] a2 = packA(A, 2), a6 = packA(A, 6), a4 = packA(A, 4);
        float[] b48 = packB(B, 48), b16 = packB(B, 16), b24 = packB(B, 24);
        float[] C = new float[MC * N];
        // reference
        double[] ref = new double[MC * N];
        for (int i = 0; i < MC; i++) for (int k = 0; k < KC; k++) for (int j = 0; j < N; j++) ref[i * N + j] += (double) A[i * KC + k] * B[k * N + j];
        Map<String, Run> runs = new LinkedHashMap<>();
        List<String> want = Arrays.asList(System.getProperty("k", "2x6,6x2,6x2f,6x2t,6x2h,4x3f").split(","));
        if (want.contains("2x6")) runs.put("2x6", () -> { for (int s = 0; s < N / 48; s++) for (int t = 0; t < MC / 2; t++) k2x6(KC, a2, t * 2 * KC, b48, s * 48 * KC, C, t * 2 * N + s * 48, N); });
        if (want.contains("6x2")) runs.put("6x2", () -> { for (int s = 0; s < N / 16; s++) for (int t = 0; t < MC / 6; t++) k6x2(KC, a6, t * 6 * KC, b16, s * 16 * KC, C, t * 6 * N + s * 16, N); });
        if (want.contains("6x2f")) runs.put("6x2f", () -> { for (int s = 0; s < N / 16; s++) for (int t = 0; t < MC / 6; t++) k6x2f(KC, a6, t * 6 * KC, b16, s * 16 * KC, C, t * 6 * N + s * 16, N); });
        if (want.contains("6x2t")) runs.put("6x2t", () -> { for (int s = 0; s < N / 16; s++) for (int t = 0; t < MC / 6; t++) k6x2t(KC, a2, t * 6 * KC, b16, s * 16 * KC, C, t * 6 * N + s * 16, N); });
        if (want.contains("6x2h")) runs.put("6x2h", () -> { for (int s = 0; s < N / 16; s++) for (int t = 0; t < MC / 6; t++) k6x2h(KC, a6, t * 6 * KC, b16, s * 16 * KC, C, t * 6 * N + s * 16, N); });
        if (want.contains("4x3f")) runs.put("4x3f", () -> { for (int s = 0; s < N / 24; s++) for (int t = 0; t < MC / 4; t++) k4x3f(KC, a4, t * 4 * KC, b24, s * 24 * KC, C, t * 4 * N + s * 24, N); });
        for (var e : runs.entrySet()) { // correctness
            Arrays.fill(C, 0); e.getValue().go(); double err = 0;
            for (int i = 0; i < C.length; i++) err = Math.max(err, Math.abs(C[i] - ref[i]));
            System.out.printf("%s maxerr %.2e%n", e.getKey(), err);
        }
        double flops = 2.0 * MC * N * KC;
        Map<String, List<Double>> res = new LinkedHashMap<>();
        int turns = Integer.getInteger("turns", 12);
        for (int w = 0; w < 3; w++) for (var e : runs.entrySet()) for (int i = 0; i < 200; i++) e.getValue().go();
        for (int t = 0; t < turns; t++) for (var e : runs.entrySet()) {
            long t0 = System.nanoTime(), n = 0;
            while (System.nanoTime() - t0 < 300_000_000L) { e.getValue().go(); n++; }
            double g = flops * n / (System.nanoTime() - t0);
            res.computeIfAbsent(e.getKey(), x -> new ArrayList<>()).add(g);
        }
        for (var e : res.entrySet()) {
            var l = new ArrayList<>(e.getValue()); Collections.sort(l);
            System.out.printf("%-6s median %.1f  [%.1f-%.1f] GFLOP/s%n", e.getKey(), l.get(l.size() / 2), l.get(0), l.get(l.size() - 1));
        }
    }
}
