package dev.ember;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.Philox;
import org.junit.jupiter.api.Test;

/** Creation, dtypes and promotion, views sharing storage, RNG, printing and error messages. */
class TensorCoreTest {

    @Test
    void creationFunctions() {
        assertArrayEquals(new long[]{0, 1, 2, 3}, Tensor.arange(4).toLongArray());
        assertArrayEquals(new long[]{2, 5, 8}, Tensor.arange(2, 10, 3).toLongArray());
        assertArrayEquals(new float[]{0f, 0.25f, 0.5f, 0.75f, 1f}, Tensor.linspace(0, 1, 5).toFloatArray(), 0);
        assertArrayEquals(new float[]{1, 0, 0, 0, 1, 0}, Tensor.eye(2, 3).toFloatArray(), 0);
        assertArrayEquals(new float[]{7, 7}, Tensor.full(7, 2).toFloatArray(), 0);
        assertEquals(DType.INT32, Tensor.zeros(DType.INT32, 2).dtype());
        assertEquals(0, Tensor.scalar(3).dim());
        assertEquals(3.0, Tensor.scalar(3).item());
        assertArrayEquals(new long[]{2, 0, 3}, Tensor.zeros(2, 0, 3).shape());
        assertEquals(0, Tensor.zeros(2, 0, 3).numel());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[]{1, 2, 3}, 2, 2));
    }

    @Test
    void promotionFollowsPyTorch() {
        Tensor i32 = Tensor.of(new int[]{1, 2}), i64 = Tensor.of(new long[]{1, 2});
        Tensor f32 = Tensor.of(new float[]{1, 2}), f64 = Tensor.of(new double[]{1, 2});
        Tensor b = Tensor.of(new boolean[]{true, false});
        assertEquals(DType.INT64, i32.add(i64).dtype());
        assertEquals(DType.FLOAT32, i64.add(f32).dtype());
        assertEquals(DType.FLOAT64, f32.add(f64).dtype());
        assertEquals(DType.INT32, b.add(i32).dtype());
        assertEquals(DType.FLOAT32, i64.div(i64).dtype(), "true division of integers gives a float");
        assertArrayEquals(new float[]{0.5f, 1f}, i64.div(Tensor.of(new long[]{2, 2})).toFloatArray(), 0);
        assertEquals(DType.INT64, i64.mul(2L).dtype(), "an integer scalar keeps the integer dtype");
        assertEquals(DType.FLOAT32, i64.mul(2.5).dtype(), "a float scalar makes an integer tensor float");
        assertEquals(DType.FLOAT32, f32.mul(Tensor.scalar(2, DType.FLOAT64)).dtype(), "0-d tensors do not promote within a category");
        assertEquals(DType.BOOL, f32.gt(1.5).dtype());
        assertEquals(DType.FLOAT32, i64.exp().dtype(), "float functions of integers give the default float");
        assertArrayEquals(new long[]{-2, 1}, Tensor.of(new long[]{-3, 3}).floorDivide(Tensor.of(new long[]{2, 2})).toLongArray());
        assertArrayEquals(new long[]{3}, Tensor.of(new long[]{1, 2}).sum().reshape(1).toLongArray());
        assertEquals(DType.INT64, b.sum().dtype(), "summing BOOL counts in INT64");
    }

    @Test
    void viewsShareStorageAndReshapeCopiesOnlyWhenNeeded() {
        Tensor x = Tensor.arange(0.0, 6.0, 1.0).reshape(2, 3);
        Tensor v = x.view(3, 2);
        try (var ignored = Ember.noGrad()) {
            v.narrow(0, 0, 1).fillInPlace(9);
        }
        assertArrayEquals(new float[]{9, 9, 2, 3, 4, 5}, x.toFloatArray(), 0, "a view writes through to its base");
        Tensor t = x.t();
        assertFalse(t.isContiguous());
        assertThrows(IllegalArgumentException.class, () -> t.view(6));
        var e = assertThrows(IllegalArgumentException.class, () -> t.view(6));
        assertTrue(e.getMessage().contains("reshape"), e.getMessage());
        assertArrayEquals(new float[]{9, 3, 9, 4, 2, 5}, t.reshape(6).toFloatArray(), 0);
        assertArrayEquals(new long[]{1, 3}, t.stride());
        assertSame(x, x.contiguous());
        assertEquals(1, x.expand(4, 2, 3).stride()[1] == 3 ? 1 : 0);
        assertEquals(0, x.unsqueeze(0).expand(4, 2, 3).stride()[0]);
    }

    @Test
    void rngIsReproducibleAndIndependentOfThreadCount() {
        int before = Ember.numThreads();
        try {
            Ember.manualSeed(123);
            Ember.setNumThreads(1);
            float[] a = Tensor.randn(100_000).toFloatArray();
            Ember.manualSeed(123);
            Ember.setNumThreads(2);
            float[] b = Tensor.randn(100_000).toFloatArray();
            assertArrayEquals(a, b, 0);
            float[] c = Tensor.randn(100_000).toFloatArray();
            assertFalse(java.util.Arrays.equals(a, c), "the stream advances between ops");
        } finally {
            Ember.setNumThreads(before);
        }
    }

    /** Row reductions split their rows across threads (each row whole): the same bits on 1, 2 and 3 threads. */
    @Test
    void rowReductionsHaveTheSameBitsOnAnyThreadCount() {
        int before = Ember.numThreads();
        try {
            Ember.manualSeed(9);
            Tensor x = Tensor.randn(64, 32, 196); // 2,048 rows of 196: too few elements per row to split a row
            java.util.List<float[]> first = null;
            for (int threads : new int[]{1, 2, 3}) {
                Ember.setNumThreads(threads);
                java.util.List<float[]> got = java.util.List.of(x.sum(2).toFloatArray(), x.max(2).toFloatArray(),
                        x.argmax(2).to(DType.FLOAT32).toFloatArray(), x.sum(new int[]{0, 2}, false).toFloatArray());
                if (first == null) first = got;
                else for (int i = 0; i < got.size(); i++) assertArrayEquals(first.get(i), got.get(i), 0, "result " + i + " on " + threads + " threads");
            }
            double[] v = x.to(DType.FLOAT64).toDoubleArray();
            float[] sums = first.get(0);
            for (int row = 0; row < 64 * 32; row += 97) {
                double ref = 0;
                for (int j = 0; j < 196; j++) ref += v[row * 196 + j];
                assertEquals(ref, sums[row], 1e-4, "row " + row + " against float64");
            }
        } finally {
            Ember.setNumThreads(before);
        }
    }

    @Test
    void rngDistributions() {
        Ember.manualSeed(5);
        Tensor u = Tensor.rand(200_000).to(DType.FLOAT64);
        assertEquals(0.5, u.mean().item(), 0.005);
        assertEquals(1.0 / 12, u.var().item(), 0.002);
        assertTrue(u.min().item() >= 0 && u.max().item() < 1);
        Tensor n = Tensor.randn(200_000).to(DType.FLOAT64);
        assertEquals(0, n.mean().item(), 0.01);
        assertEquals(1, n.std().item(), 0.01);
        Tensor r = Tensor.randint(3, 7, 10_000);
        assertEquals(DType.INT64, r.dtype());
        assertEquals(3, r.min().itemLong());
        assertEquals(6, r.max().itemLong());
        int[] p = Ember.generator().permutation(50);
        int[] sorted = p.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) assertEquals(i, sorted[i]);
    }

    @Test
    void philoxMatchesThePublishedKnownAnswer() {
        // Random123's known-answer test for philox4x32-10: counter and key all zeros.
        int[] w = new int[4];
        Philox.block(0, 0, w);
        assertArrayEquals(new int[]{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, w);
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("tensor([[1., 2.],\n        [3., 4.]])", Tensor.of(new float[]{1, 2, 3, 4}, 2, 2).toString());
        assertEquals("tensor([ 1.5000, -2.2500])", Tensor.of(new float[]{1.5f, -2.25f}).toString());
        assertEquals("tensor([1, 2, 3])", Tensor.arange(1, 4, 1).toString());
        assertEquals("tensor([ True, False])", Tensor.of(new boolean[]{true, false}).toString());
        assertEquals("tensor(3.5000, dtype=torch.float64)", Tensor.scalar(3.5, DType.FLOAT64).toString());
        assertEquals("tensor([1., 2.], requires_grad=True)", Tensor.of(new float[]{1, 2}).requiresGrad(true).toString());
        String big = Tensor.zeros(2000).toString();
        assertTrue(big.contains("..."), big);
        // Summarised, only the edges are read: a view of 2^40 elements prints (PyTorch: tensor([0., 0., 0.,  ..., 0., 0., 0.]))
        assertEquals("tensor([0., 0., 0., ..., 0., 0., 0.])", Tensor.zeros(1).expand(1L << 40).toString());
        String rows = Tensor.arange(3000).reshape(3, 1000).toString();
        for (String edge : new String[]{"[   0,    1,    2, ...,  997,  998,  999]", "[2000, 2001, 2002, ..., 2997, 2998, 2999]"})
            assertTrue(rows.contains(edge), rows);
        assertFalse(rows.contains("500"), rows);
        assertTrue(big.length() < 100, big);
    }

    @Test
    void errorsNameTheOpAndShapes() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4, 5);
        var e = assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
        assertEquals("matmul: [2, 3] @ [4, 5]: inner dimensions 3 and 4 differ", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e.getMessage().startsWith("add: shapes [2, 3] and [4, 5] cannot be broadcast"), e.getMessage());
        var ie = assertThrows(IndexOutOfBoundsException.class, () -> a.sum(2));
        assertTrue(ie.getMessage().contains("dimension 2") && ie.getMessage().contains("rank 2"), ie.getMessage());
        ie = assertThrows(IndexOutOfBoundsException.class, () -> a.indexSelect(0, Tensor.of(new long[]{5})));
        assertTrue(ie.getMessage().contains("index 5") && ie.getMessage().contains("size 2"), ie.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.reshape(4, 2));
        assertTrue(e.getMessage().contains("[4, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.item());
        assertTrue(e.getMessage().contains("6 elements"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1, 3, 4, 4).conv2d(Tensor.zeros(2, 2, 3, 3), null, 1, 0));
        assertTrue(e.getMessage().startsWith("conv2d:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
        assertTrue(e.getMessage().contains("tpu"));
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.cat(0, a, b));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
    }

    @Test
    void integerArithmeticStaysExact() {
        long big = (1L << 53) + 1;
        Tensor x = Tensor.of(new long[]{big});
        assertEquals(big + 1, x.add(1L).itemLong(), "INT64 arithmetic does not go through double");
        assertArrayEquals(new int[]{2, -4}, Tensor.of(new int[]{-2, 4}).neg().toIntArray());
        assertNotEquals(DType.FLOAT32, Tensor.of(new int[]{1}).abs().dtype());
    }

    @Test
    void anyAllAndAllclose() {
        Tensor x = Tensor.of(new float[]{0, 1, 0});
        assertTrue(x.any());
        assertFalse(x.all());
        assertTrue(x.allclose(x.add(1e-7), 1e-5, 1e-6));
        assertFalse(x.allclose(x.add(0.1), 1e-5, 1e-6));
    }

    @Test
    void maxAlongAStridedAxisPropagatesNaNAndKeepsTheFirstTie() {
        // [4, 40] reduced over dim 0: the kernel combines whole rows (vector lanes plus a scalar tail).
        float[] v = new float[4 * 40];
        for (int i = 0; i < v.length; i++) v[i] = (i * 7919) % 13;
        v[2 * 40 + 5] = Float.NaN;   // column 5: NaN in row 2 wins
        v[3 * 40 + 37] = Float.NaN;  // column 37 (in the scalar tail): NaN in row 3 wins
        v[0 * 40 + 9] = 50; v[2 * 40 + 9] = 50; // column 9: a tie keeps row 0
        Tensor x = Tensor.of(v, 4, 40);
        var r = x.maxWithIndices(0, false);
        long[] idx = r.indices().toLongArray();
        float[] val = r.values().toFloatArray();
        for (int j = 0; j < 40; j++) {
            int best = 0;
            for (int i = 1; i < 4; i++) {
                float a = v[i * 40 + j], b = v[best * 40 + j];
                if (!Float.isNaN(b) && (Float.isNaN(a) || a > b)) best = i;
            }
            assertEquals(best, idx[j], "argmax of column " + j);
            assertEquals(v[best * 40 + j], val[j], 0, "max of column " + j);
        }
        assertEquals(2, idx[5]);
        assertTrue(Float.isNaN(val[5]));
        assertEquals(3, idx[37]);
        assertEquals(0, idx[9]);
        var m = x.minWithIndices(0, true);
        assertArrayEquals(new long[]{1, 40}, m.indices().shape());
        assertTrue(Float.isNaN(m.values().toFloatArray()[5]));
    }
}
