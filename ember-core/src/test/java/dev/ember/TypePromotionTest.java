package dev.ember;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.testing.OpInfo;
import dev.ember.testing.OpInfo.Divergence;
import dev.ember.testing.OpInfo.Promotion;
import dev.ember.testing.Params;
import dev.ember.testing.Results;
import dev.ember.testing.Sample;
import dev.ember.testing.ops.OpDb;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every entry with a promotion kind gives the result dtype PyTorch 1.13 gives, or refuses where PyTorch refuses,
 * for every combination of operand dtypes, 1-D and 0-d operands, and Java double and long scalars: the cases
 * {@code benchmarks/reference/make_promotion_refs.py} recorded ({@code torch_promotion/promotion.json}). A case
 * where Ember differs must be declared in the entry ({@link OpInfo.Builder#diverges}) with its reason; a declared
 * divergence that no case shows any more fails too. The dtype is decided in the tensor layer before a backend
 * runs, so this suite runs on the CPU only.
 */
class TypePromotionTest {

    private static JsonObject ops;

    @BeforeAll
    static void load() {
        var in = TypePromotionTest.class.getResourceAsStream("/torch_promotion/promotion.json");
        if (in == null) throw new IllegalStateException("missing /torch_promotion/promotion.json; run benchmarks/reference/make_promotion_refs.py");
        JsonObject refs = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        ops = refs.getAsJsonObject("ops");
        Ember.setDefaultDType(DType.FLOAT32);
    }

    @Test
    void everyEntryWithAPromotionKindHasExpectationsAndEveryExpectationAnEntry() {
        List<String> missing = new ArrayList<>(), orphans = new ArrayList<>();
        for (OpInfo op : OpDb.all())
            if (op.promotion() != Promotion.NONE && !ops.has(op.name())) missing.add(op.name());
        for (String k : ops.keySet()) {
            boolean found = false;
            for (OpInfo op : OpDb.all()) found |= op.name().equals(k) && op.promotion() != Promotion.NONE;
            if (!found) orphans.add(k);
        }
        assertTrue(missing.isEmpty(), "entries without PyTorch expectations (add them to make_promotion_refs.py): " + missing);
        assertTrue(orphans.isEmpty(), "expectations without an entry of a promotion kind: " + orphans);
    }

    @TestFactory
    Stream<DynamicTest> promotion() {
        return OpDb.all().stream().filter(op -> op.promotion() != Promotion.NONE && ops.has(op.name()))
                .map(op -> dynamicTest(op.name(), () -> check(op)));
    }

    private static void check(OpInfo op) {
        JsonObject o = ops.getAsJsonObject(op.name());
        assertNotNull(o, op.name());
        JsonObject cases = o.getAsJsonObject("cases");
        Map<String, String> mismatches = new LinkedHashMap<>();
        List<String> unexplained = new ArrayList<>();
        Map<Divergence, Integer> explained = new LinkedHashMap<>();
        for (Divergence d : op.divergences()) explained.put(d, 0);
        Sample first = op.samples().get(0);
        for (String key : cases.keySet()) {
            String torch = cases.get(key).getAsString();
            String ember = outcome(op, first, key);
            boolean agree = torch.startsWith("error") ? ember.startsWith("error") : torch.equals(ember);
            if (ember.startsWith("unclear")) agree = false;
            if (agree) continue;
            String line = key + ": PyTorch " + torch + ", Ember " + ember;
            mismatches.put(key, line);
            boolean known = false;
            for (Divergence d : op.divergences())
                if (d.cases().test(key)) {
                    explained.merge(d, 1, Integer::sum);
                    known = true;
                }
            if (!known || ember.startsWith("unclear")) unexplained.add(line);
        }
        List<String> stale = new ArrayList<>();
        explained.forEach((d, n) -> { if (n == 0) stale.add(d.description() + " (" + d.reason() + ")"); });
        assertTrue(unexplained.isEmpty(), op.name() + ": result dtypes that differ from PyTorch's, not declared as divergences:\n  "
                + String.join("\n  ", unexplained));
        assertTrue(stale.isEmpty(), op.name() + ": declared divergences that no case shows any more (remove them): " + stale);
    }

    /** {@code [1, 2, 3]} (BOOL: {@code [true, false, true]}) or the 0-d 2 (true), as the script builds them; {@code rows} repeats it. */
    static Tensor operand(String token, int rows) {
        String[] t = token.split(":");
        DType dt = DType.valueOf(t[0]);
        boolean zeroDim = t.length > 1;
        if (zeroDim) return dt == DType.BOOL ? Tensor.of(new boolean[]{true}).reshape() : Tensor.scalar(2, dt);
        Tensor base = dt == DType.BOOL ? Tensor.of(new boolean[]{true, false, true}) : Tensor.of(new long[]{1, 2, 3}).to(dt);
        return rows > 0 ? base.unsqueeze(0).expand(rows, 3).contiguous() : base;
    }

    /**
     * Ember's result dtype for one case; "error" for an IllegalArgumentException, an out-of-range dim or an integer
     * division by zero (the kernel's ArithmeticException); "unclear: ..." for anything else thrown.
     */
    static String outcome(OpInfo op, Sample first, String key) {
        String[] tokens = key.split(" ");
        Params p = op.promotionParams();
        Tensor[] in;
        switch (op.promotion()) {
            case UNARY -> in = new Tensor[]{operand(tokens[0], 0)};
            case BINARY -> in = withFixed(first, operand(tokens[0], 0), operand(tokens[1], 0));
            case SCALAR -> {
                in = withFixed(first, operand(tokens[0], 0));
                Object s = tokens[1].equals("float") ? (Object) 2.5 : (Object) 2L;
                p = p.with(first.params().has("value") ? "value" : "s", s);
            }
            case REDUCTION -> in = new Tensor[]{operand(tokens[0], 2)};
            case PAIR -> {
                Tensor a = operand(tokens[0], 2), b = operand(tokens[1], 2);
                in = new Tensor[]{a, op.family() == OpInfo.Family.LINALG ? b.t() : b};
            }
            default -> throw new IllegalStateException(op.promotion().toString());
        }
        try {
            Object r = op.call(in, p.withTested(DType.FLOAT32));
            return Results.actual(r).get(0).dtype().name();
        } catch (IllegalArgumentException | IndexOutOfBoundsException | ArithmeticException e) {
            // ArithmeticException: integer division by zero, raised by the kernel (PyTorch: ZeroDivisionError)
            return "error: " + e.getMessage();
        } catch (RuntimeException e) {
            return "unclear: " + e;
        }
    }

    /**
     * The call's inputs: the data operands in order, and each fixed-dtype input of the entry's first sample (a mask,
     * for where and maskedFill) as a 0-d true, which broadcasts with anything.
     */
    private static Tensor[] withFixed(Sample first, Tensor... data) {
        var inputs = first.inputs();
        Tensor[] in = new Tensor[inputs.size()];
        for (int i = 0, k = 0; i < in.length; i++)
            in[i] = inputs.get(i).isData() ? data[k++] : Tensor.of(new boolean[]{true}).reshape().to(inputs.get(i).fixed());
        return in;
    }
}
