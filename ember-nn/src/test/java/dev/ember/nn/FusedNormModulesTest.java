package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.Device;
import dev.ember.backend.Backends;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LayerNorm} and {@link RMSNorm} run as one fused node on the CPU (dev.ember.NormalizationTest checks the
 * kernel's values): the modules' outputs against a float64 reference, their dtypes with a BFLOAT16 model and under
 * autocast, and their errors.
 */
class FusedNormModulesTest {

    private static double[] gaussian(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * 1.5 + 0.3);
        return v;
    }

    @Test
    void modulesUseTheFusedNodeAndMatchFloat64() {
        Random rnd = new Random(1);
        int rows = 6, n = 45;
        double[] x = gaussian(rnd, rows * n);
        Tensor xt = Tensor.of(x).reshape(2, 3, n).to(DType.FLOAT32).requiresGrad(true);
        Tensor ln = new LayerNorm(n).forward(xt), rms = new RMSNorm(n).forward(xt);
        // the CPU's fused kernel needs the Vector API; without it (-Dember.noSimd=true) the norms compose
        if (Backends.of(Device.cpu()).name().contains("Vector API")) {
            assertEquals("layerNorm", ln.gradFn().name());
            assertEquals("rmsNorm", rms.gradFn().name());
        }
        double[] gotLn = ln.toDoubleArray(), gotRms = rms.toDoubleArray();
        double rmsEps = Math.ulp(1.0f); // RMSNorm's default: the float32 machine epsilon
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0, sq = 0;
            for (int j = 0; j < n; j++) mean += x[r * n + j] / n;
            for (int j = 0; j < n; j++) { var += (x[r * n + j] - mean) * (x[r * n + j] - mean) / n; sq += x[r * n + j] * x[r * n + j] / n; }
            for (int j = 0; j < n; j++) {
                double eLn = (x[r * n + j] - mean) / Math.sqrt(var + 1e-5), eRms = x[r * n + j] / Math.sqrt(sq + rmsEps);
                assertEquals(eLn, gotLn[r * n + j], 5e-6 * (1 + Math.abs(eLn)), "LayerNorm row " + r + " col " + j);
                assertEquals(eRms, gotRms[r * n + j], 5e-6 * (1 + Math.abs(eRms)), "RMSNorm row " + r + " col " + j);
            }
        }
    }

    @Test
    void bfloat16ModelKeepsBfloat16AndAutocastGivesFloat32() {
        LayerNorm ln = new LayerNorm(32);
        RMSNorm rms = new RMSNorm(32);
        Tensor x = Tensor.randn(4, 32);
        try (var ac = Ember.autocast(DType.BFLOAT16)) {
            assertEquals(DType.FLOAT32, ln.forward(x.to(DType.BFLOAT16)).dtype());
            assertEquals(DType.FLOAT32, rms.forward(x.to(DType.BFLOAT16)).dtype());
        }
        ln.to(DType.BFLOAT16);
        rms.to(DType.BFLOAT16);
        Tensor xb = x.to(DType.BFLOAT16).requiresGrad(true);
        Tensor y = ln.forward(xb).add(rms.forward(xb));
        assertEquals(DType.BFLOAT16, y.dtype());
        y.sum().backward();
        assertEquals(DType.BFLOAT16, xb.grad().dtype());
        for (Tensor p : List.of(ln.parameters().get(0), rms.parameters().get(0))) {
            assertEquals(DType.BFLOAT16, p.grad().dtype());
            assertTrue(p.grad().abs().sum().item() > 0, "the weight gets a gradient");
        }
    }

    @Test
    void badShapesNameTheModule() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(8).forward(Tensor.zeros(2, 7)));
        assertTrue(e.getMessage().startsWith("LayerNorm[8]") && e.getMessage().contains("[2, 7]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RMSNorm(8).forward(Tensor.zeros(2, 7)));
        assertTrue(e.getMessage().contains("rmsNorm") && e.getMessage().contains("[2, 7]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> dev.ember.nn.functional.F.layerNorm(Tensor.zeros(2, 8), new long[]{8}, Tensor.ones(7), null, 1e-5));
        assertTrue(e.getMessage().contains("layerNorm: weight shape [7]"), e.getMessage());
    }
}
