package dev.ember.testing;

import dev.ember.DType;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The non-tensor arguments of a {@link Sample} (dims, flags, scalars, kernel sizes), by name: what
 * PyTorch's {@code SampleInput} passes as {@code args} and {@code kwargs}. A parameter named {@code dim}
 * is a dimension: the error suite derives an out-of-range case from it.
 */
public final class Params {
    /** No parameters. */
    public static final Params NONE = new Params(Map.of(), null);

    private final Map<String, Object> values;
    private final DType tested;

    private Params(Map<String, Object> values, DType tested) {
        this.values = values;
        this.tested = tested;
    }

    /** Parameters from alternating names and values: {@code Params.of("dim", 1, "keepDim", true)}. */
    public static Params of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("Params.of: names and values must alternate");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        return new Params(Collections.unmodifiableMap(m), null);
    }

    /** A copy with {@code name} set to {@code value}. */
    public Params with(String name, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(values);
        m.put(name, value);
        return new Params(Collections.unmodifiableMap(m), tested);
    }

    /** A copy that carries the dtype under test (the suites set it: creation ops read it, having no input to take it from). */
    public Params withTested(DType dtype) { return new Params(values, dtype); }

    /** The dtype under test. */
    public DType tested() {
        if (tested == null) throw new IllegalStateException("Params: no dtype under test (the suites set it)");
        return tested;
    }

    public boolean has(String name) { return values.containsKey(name); }

    public Object get(String name) {
        Object v = values.get(name);
        if (v == null && !values.containsKey(name)) throw new IllegalArgumentException("Params: no parameter '" + name + "' in " + this);
        return v;
    }

    public int i(String name) { return ((Number) get(name)).intValue(); }

    public long l(String name) { return ((Number) get(name)).longValue(); }

    public double d(String name) { return ((Number) get(name)).doubleValue(); }

    public boolean b(String name) { return (Boolean) get(name); }

    public int[] ints(String name) { return (int[]) get(name); }

    public long[] longs(String name) { return (long[]) get(name); }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ");
        values.forEach((k, v) -> j.add(k + "=" + switch (v) {
            case int[] a -> Arrays.toString(a);
            case long[] a -> Arrays.toString(a);
            case double[] a -> Arrays.toString(a);
            case null -> "null";
            default -> v.toString();
        }));
        return j.toString();
    }
}
