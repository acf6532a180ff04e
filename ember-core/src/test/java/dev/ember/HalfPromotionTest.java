package dev.ember;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Type promotion with FLOAT16 and BFLOAT16 against PyTorch ({@code benchmarks/reference/make_half_refs.py}):
 * {@code promote_types}, {@code can_cast}, and {@code result_type} of dimensioned tensors with 0-d tensors and
 * with Java scalars (a {@code double} is a Python float, a {@code long} a Python int), for every pair of dtypes.
 */
class HalfPromotionTest {
    private static final JsonObject REFS = load();

    private static JsonObject load() {
        try (var in = HalfPromotionTest.class.getResourceAsStream("/half/promotion.json")) {
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read /half/promotion.json", e);
        }
    }

    private static DType d(JsonObject o, String key) { return DType.valueOf(o.get(key).getAsString()); }

    @Test
    void everyPairAsTorch() {
        assertEquals(49, REFS.getAsJsonArray("pairs").size(), "every pair of the 7 dtypes");
        for (JsonElement e : REFS.getAsJsonArray("pairs")) {
            JsonObject p = e.getAsJsonObject();
            DType a = d(p, "a"), b = d(p, "b");
            String what = a + " with " + b;
            assertEquals(d(p, "promote"), DType.promote(a, b), "promote " + what);
            assertEquals(p.get("can_cast").getAsBoolean(), DType.canCast(a, b), "canCast " + what);
            Tensor t = Tensor.zeros(a, 2), z = Tensor.zeros(b);
            assertEquals(d(p, "tensor_zero_dim"), Elementwise.resultType(t, z), "result type of a " + a + " tensor and a 0-d " + b);
            assertEquals(d(p, "zero_dim_tensor"), Elementwise.resultType(z, t), "result type of a 0-d " + b + " and a " + a + " tensor");
            assertEquals(d(p, "zero_dims"), Elementwise.resultType(Tensor.zeros(a), z), "result type of 0-d " + a + " and 0-d " + b);
        }
    }

    @Test
    void javaScalarsAsPythonScalars() {
        assertEquals(DType.FLOAT32, Ember.defaultDType());
        for (JsonElement e : REFS.getAsJsonArray("scalars")) {
            JsonObject p = e.getAsJsonObject();
            DType a = d(p, "a");
            Tensor t = Tensor.zeros(a, 2);
            assertEquals(d(p, "float"), Elementwise.resultType(t, Elementwise.scalarLike(t, 1.5, true)), a + " tensor with a double");
            assertEquals(d(p, "int"), Elementwise.resultType(t, Elementwise.scalarLike(t, 2, false)), a + " tensor with a long");
            if (a != DType.BOOL) { // torch.add on two BOOL tensors is a logical or; Ember's add needs a number
                assertEquals(d(p, "float"), t.add(1.5).dtype(), a + ".add(double)");
                assertEquals(d(p, "int"), t.mul(2L).dtype(), a + ".mul(long)");
            }
        }
    }

    @Test
    void opsComputeInTheirResultType() {
        Tensor h = Tensor.of(new float[]{1.5f, -2f}).to(DType.FLOAT16), b = Tensor.of(new float[]{0.25f, 3f}).to(DType.BFLOAT16);
        assertEquals(DType.FLOAT32, h.add(b).dtype(), "FLOAT16 + BFLOAT16");
        assertEquals(DType.FLOAT16, h.add(Tensor.of(new long[]{1, 2})).dtype(), "FLOAT16 + INT64");
        assertEquals(DType.BFLOAT16, b.mul(Tensor.scalar(2.0, DType.FLOAT64)).dtype(), "BFLOAT16 * 0-d FLOAT64 keeps 16 bits");
        assertEquals(DType.FLOAT16, Tensor.of(new int[]{1, 2}).mul(Tensor.scalar(0.5, DType.FLOAT16)).dtype(), "INT32 * 0-d FLOAT16");
        assertEquals(DType.FLOAT32, Tensor.of(new int[]{1, 2}).mul(0.5).dtype(), "INT32 * double gives the default dtype");
        assertEquals("tensor([ 1.5000, -2.0000], dtype=torch.float16)", h.toString()); // strings printed by torch 1.13
        assertEquals("tensor([0.2500, 3.0000], dtype=torch.bfloat16)", b.toString());
        assertEquals("tensor([1.0014e-05, 3.0000e+02], dtype=torch.bfloat16)", Tensor.of(new double[]{1e-5, 300}).to(DType.BFLOAT16).toString());
    }
}
