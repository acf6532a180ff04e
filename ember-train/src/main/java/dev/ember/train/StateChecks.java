package dev.ember.train;

import dev.ember.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks of the small entries of a checkpoint (counters, best values), with messages that name the entry. */
final class StateChecks {
    private StateChecks() {}

    /** The one number under {@code key}; NaN only where {@code nanAllowed} (a best value before the first epoch). */
    static double number(String op, Map<String, Tensor> state, String key, boolean nanAllowed) {
        Tensor t = present(op, state, key);
        if (t.numel() != 1 || !t.dtype().isFloatingPoint())
            throw new IllegalArgumentException(op + ": '" + key + "' must be one floating-point number, got " + t.dtype() + " " + Arrays.toString(t.shape()));
        double v = t.item();
        if (Double.isNaN(v) && !nanAllowed) throw new IllegalArgumentException(op + ": '" + key + "' is NaN");
        return v;
    }

    /** The one integer under {@code key}, at least {@code min}. */
    static long integer(String op, Map<String, Tensor> state, String key, long min) {
        Tensor t = present(op, state, key);
        if (t.numel() != 1 || !t.dtype().isIntegral())
            throw new IllegalArgumentException(op + ": '" + key + "' must be one integer, got " + t.dtype() + " " + Arrays.toString(t.shape()));
        long v = t.itemLong();
        if (v < min) throw new IllegalArgumentException(op + ": '" + key + "' is " + v + ", below its least value " + min);
        return v;
    }

    /** Throws if {@code state} has a key that is neither in {@code known} nor starts with {@code prefix} (null: none). */
    static void onlyKeys(String op, Map<String, Tensor> state, Set<String> known, String prefix) {
        Set<String> unexpected = new TreeSet<>();
        for (String k : state.keySet()) if (!known.contains(k) && (prefix == null || !k.startsWith(prefix))) unexpected.add(k);
        if (!unexpected.isEmpty()) throw new IllegalArgumentException(op + ": unexpected keys " + unexpected + " (expected " + new TreeSet<>(known)
                + (prefix == null ? "" : " and " + prefix + "*") + ")");
    }

    private static Tensor present(String op, Map<String, Tensor> state, String key) {
        Tensor t = state.get(key);
        if (t == null) throw new IllegalArgumentException(op + ": missing '" + key + "'");
        return t;
    }
}
