package dev.ember;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * In-place ops follow PyTorch's type rules: every in-place op (add, sub, mul, div with tensors and 0-d
 * tensors of each dtype, mul by a float scalar, clamp with float and integer bounds, fill, masked fill,
 * copy) on a destination of each dtype writes what PyTorch 1.13 writes, or is refused where PyTorch
 * refuses (a float result into an integer tensor, an integer into BOOL, true division of integers, a
 * fill value the dtype cannot hold), and a refused op leaves its tensor unchanged. The cases come from
 * {@code benchmarks/reference/make_inplace_refs.py} ({@code ember-core/src/test/resources/torch_inplace/inplace.json}).
 */
class InPlaceTypeRulesTest {

    private static JsonObject refs() {
        var in = InPlaceTypeRulesTest.class.getResourceAsStream("/torch_inplace/inplace.json");
        if (in == null) throw new IllegalStateException("missing /torch_inplace/inplace.json; run benchmarks/reference/make_inplace_refs.py");
        return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static double number(JsonElement e) {
        if (e.getAsJsonPrimitive().isString()) {
            return switch (e.getAsString()) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException(e.toString());
            };
        }
        return e.getAsDouble();
    }

    private static double[] numbers(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = number(a.get(i));
        return out;
    }

    /** {@code values} in {@code dtype}; BOOL tensors hold {@code bools} instead, as the reference script does. */
    private static Tensor tensor(double[] values, boolean[] bools, DType dtype) {
        return dtype == DType.BOOL ? Tensor.of(bools) : Tensor.of(values).to(dtype);
    }

    private static Tensor run(JsonObject c, Tensor dest, JsonObject refs) {
        String op = c.get("op").getAsString();
        boolean[] bools = {true, false, true};
        return switch (op) {
            case "addInPlace", "subInPlace", "mulInPlace", "divInPlace" -> {
                DType t = DType.valueOf(c.get("operand").getAsString());
                Tensor o = c.get("zeroDim").getAsBoolean()
                        ? (t == DType.BOOL ? Tensor.of(new boolean[]{true}).reshape() : Tensor.scalar(2, t))
                        : tensor(numbers(refs.getAsJsonArray("operand")), bools, t);
                yield switch (op) {
                    case "addInPlace" -> dest.addInPlace(o);
                    case "subInPlace" -> dest.subInPlace(o);
                    case "mulInPlace" -> dest.mulInPlace(o);
                    default -> dest.divInPlace(o);
                };
            }
            case "mulInPlaceScalar" -> dest.mulInPlace(c.get("scalar").getAsDouble());
            case "clampInPlaceDouble" -> dest.clampInPlace(c.get("min").getAsDouble(), c.get("max").getAsDouble());
            case "clampInPlaceLong" -> dest.clampInPlace(c.get("min").getAsLong(), c.get("max").getAsLong());
            case "fillInPlace" -> dest.fillInPlace(number(c.get("value")));
            case "maskedFill" -> dest.maskedFill(Tensor.of(new boolean[]{true, false, true}), number(c.get("value")));
            case "copyFrom" -> dest.copyFrom(tensor(numbers(refs.getAsJsonArray("copySource")), bools,
                    DType.valueOf(c.get("operand").getAsString())));
            default -> throw new IllegalStateException("unknown op " + op);
        };
    }

    @Test
    void everyInPlaceOpFollowsPyTorchsTypeRules() {
        JsonObject refs = refs();
        double[] destValues = numbers(refs.getAsJsonArray("dest"));
        List<String> failures = new ArrayList<>();
        int refused = 0;
        for (JsonElement e : refs.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            DType dt = DType.valueOf(c.get("dest").getAsString());
            Tensor dest = tensor(destValues, new boolean[]{true, false, true}, dt);
            double[] before = dest.toDoubleArray();
            String name = c.get("op").getAsString().replace("Scalar", "").replace("Double", "").replace("Long", "");
            try {
                Tensor out = run(c, dest, refs);
                if (!c.get("result").isJsonArray()) {
                    failures.add(c + ": Ember wrote " + Arrays.toString(out.toDoubleArray()) + ", PyTorch refuses");
                    continue;
                }
                double[] want = numbers(c.getAsJsonArray("result")), got = out.toDoubleArray();
                boolean same = out.dtype() == dt && want.length == got.length;
                for (int i = 0; same && i < want.length; i++)
                    same = Double.compare(want[i], got[i]) == 0 || Math.abs(want[i] - got[i]) <= 1e-6 * Math.abs(want[i]);
                if (!same) failures.add(c + ": Ember wrote " + out.dtype() + " " + Arrays.toString(got));
            } catch (IllegalArgumentException ex) {
                if (c.get("result").isJsonArray()) failures.add(c + ": Ember refused: " + ex.getMessage());
                else if (!ex.getMessage().startsWith(name + ":")) failures.add(c + ": the message does not name " + name + ": " + ex.getMessage());
                else if (!Arrays.equals(before, dest.toDoubleArray())) failures.add(c + ": refused but changed the tensor");
                else refused++;
            }
        }
        if (!failures.isEmpty())
            fail(failures.size() + " cases differ from PyTorch, e.g.\n" + String.join("\n", failures.subList(0, Math.min(15, failures.size()))));
        assertTrue(refused > 50, "the table exercises refusals: " + refused);
    }

    @Test
    void theMessageSaysWhichTypeCannotBeCastToWhich() {
        Tensor t = Tensor.of(new long[]{1, 2, 3});
        var e = assertThrows(IllegalArgumentException.class, () -> t.divInPlace(Tensor.of(new long[]{2, 2, 2})));
        assertEquals("divInPlace: result type FLOAT32 can't be cast to the desired output type INT64", e.getMessage().split(" \\(")[0]);
        assertArrayEquals(new long[]{1, 2, 3}, t.toLongArray(), "true division did not floor the tensor in place");
        assertThrows(IllegalArgumentException.class, () -> t.addInPlace(Tensor.ones(3), 2.0));
        assertArrayEquals(new long[]{1, 2, 3}, t.toLongArray());
    }

    @Test
    void aRefusedOpOnAViewLeavesItsStorageUnchanged() {
        Tensor base = Tensor.of(new int[]{1, 2, 3, 4, 5, 6});
        Tensor view = base.narrow(0, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> view.mulInPlace(Tensor.of(new float[]{0.5f, 0.5f, 0.5f})));
        assertThrows(IllegalArgumentException.class, () -> view.fillInPlace(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> view.clampInPlace(0.5, 1.5));
        assertArrayEquals(new int[]{1, 2, 3, 4, 5, 6}, base.toIntArray());
        assertEquals(0, base.version(), "no write happened");
        view.clampInPlace(4L, 4L);
        assertArrayEquals(new int[]{1, 2, 4, 4, 4, 6}, base.toIntArray());
    }

    @Test
    void integerClampComparesLongsExactly() {
        long big = (1L << 62) + 1; // not a double: through double it would become 2^62
        Tensor t = Tensor.of(new long[]{big, -big, 5});
        t.clampInPlace(Long.MIN_VALUE, Long.MAX_VALUE);
        assertArrayEquals(new long[]{big, -big, 5}, t.toLongArray());
        t.clampInPlace(0L, 10L);
        assertArrayEquals(new long[]{10, 0, 5}, t.toLongArray());
    }

    @Test
    void mixedFloatTypesComputeInTheResultTypeAndRoundOnce() {
        // float32 += float64: computed in float64, rounded once into float32, as PyTorch does. o is just above half
        // an ulp of 1f: rounded to float32 first it becomes exactly half an ulp and 1 + o would tie to even (1f).
        double o = Math.scalb(1 + 0x1p-26, -24); // 2^-24 + 2^-50: exact in 1 + o as a double
        Tensor t = Tensor.of(new float[]{1f, 2f});
        t.addInPlace(Tensor.of(new double[]{o, -o}));
        assertArrayEquals(new float[]{(float) (1 + o), (float) (2 - o)}, t.toFloatArray(), 0f);
        assertEquals(1f + 0x1p-23f, t.toFloatArray()[0]);
        assertEquals(DType.FLOAT32, t.dtype());
        assertFalse(DType.canCast(DType.FLOAT32, DType.INT64));
        assertFalse(DType.canCast(DType.INT32, DType.BOOL));
        assertTrue(DType.canCast(DType.INT64, DType.INT32) && DType.canCast(DType.BOOL, DType.FLOAT32)
                && DType.canCast(DType.FLOAT64, DType.FLOAT32));
    }
}
