package dev.ember.testing;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;

/**
 * One entry of the op table ({@link OpDb}), as PyTorch's {@code OpInfo}: how to call the op on sample
 * inputs, its float64 reference, the samples, the dtypes it supports and those it must refuse, the dtype
 * of its result, whether it is differentiable, tolerances, expected errors, and the cases a suite skips
 * or where Ember knowingly differs from PyTorch, each with its reason.
 *
 * <p>The suites read entries only: the conformance suite runs every sample in every supported dtype on
 * every device against {@link #reference}; the gradcheck suite runs the samples marked for it in float64;
 * the promotion suite compares result dtypes with PyTorch's; the error suite runs {@link #errors} and the
 * cases it derives (refused dtypes, a {@code dim} out of range, operands on two devices). The completeness
 * test fails for a public {@code Tensor} method or op-enum constant that no entry {@linkplain #methods
 * names}. Adding an op is adding an entry.
 */
public final class OpInfo {

    /** Which part of the tensor API an entry belongs to (the file it lives in, and how it is promoted). */
    public enum Family { UNARY, BINARY, REDUCTION, SOFTMAX, LINALG, SHAPE, INDEXING, CONVOLUTION, CREATION, RANDOM, IN_PLACE, CONVERSION }

    /** The table-driven suites. */
    public enum Suite { CONFORMANCE, GRADCHECK, PROMOTION, ERRORS }

    /**
     * How the promotion suite calls the op with mixed dtypes, and which section of PyTorch's expectations
     * ({@code benchmarks/reference/make_promotion_refs.py}) holds its cases: one tensor of each dtype; two
     * tensors (1-D or 0-d) of each pair of dtypes; a tensor and a Java scalar; a reduction of one
     * {@code [2, 3]} tensor; two 2-D tensors.
     */
    public enum Promotion { NONE, UNARY, BINARY, SCALAR, REDUCTION, PAIR }

    /** Calls the op on tensors made from a sample; returns a {@code Tensor}, a list of them, a record of them or a Java value. */
    @FunctionalInterface
    public interface Call { Object apply(Tensor[] in, Params p); }

    /** The float64 reference: returns a {@link Ref} or a list of them, one per output. */
    @FunctionalInterface
    public interface Reference { Object apply(Ref[] in, Params p); }

    /** Samples, drawn from a generator seeded by the entry's name (so every run sees the same values). */
    @FunctionalInterface
    public interface Samples { List<Sample> make(Random random); }

    /** A property of the result that the suite checks besides (or instead of) a reference: throws AssertionError when violated. */
    @FunctionalInterface
    public interface Property { void check(Object result, Tensor[] in, Sample sample, DType dtype, Device device); }

    /** Expected errors, drawn like samples. */
    @FunctionalInterface
    public interface Errors { List<ErrorInput> make(Random random); }

    /**
     * A call that must fail: {@code sample} run in {@code dtype} throws {@code type} with a message that names the
     * op and contains {@code fragment}.
     */
    public record ErrorInput(String label, Sample sample, DType dtype, Class<? extends Throwable> type, String fragment) {}

    /**
     * A suite's cases that do not run, where {@code applies}, with the reason (reported as skipped); or, when
     * {@code expectedFailure}, cases that run and must fail (a known bug, PyTorch's {@code xfail}): one that
     * passes fails the suite, so the entry is updated once the bug is fixed.
     */
    public record Skip(Suite suite, BiPredicate<Device, DType> applies, String reason, boolean expectedFailure) {}

    /**
     * Promotion cases (keys as in the expectations file, e.g. {@code "INT32 FLOAT64:0d"}) where Ember's result
     * dtype knowingly differs from PyTorch's, with the reason. Each must still differ: a divergence that no longer
     * does fails the suite, so it is removed once fixed.
     */
    public record Divergence(Predicate<String> cases, String description, String reason) {}

    private final Builder b;

    private OpInfo(Builder b) { this.b = b; }

    public static Builder builder(String name, Family family) { return new Builder(name, family); }

    public String name() { return b.name; }

    public Family family() { return b.family; }

    /** The public {@code Tensor} methods this entry exercises, as {@code name(Type,Type)} ({@code add(Tensor,double)}). */
    public Set<String> methods() { return b.methods; }

    /** The op-enum constants this entry exercises, as {@code UnaryOp.EXP}. */
    public Set<String> enums() { return b.enums; }

    /** The name errors must contain (the Java method name: {@code add} for {@code add.scalar}). */
    public String errorName() { return b.errorName != null ? b.errorName : b.name.contains(".") ? b.name.substring(0, b.name.indexOf('.')) : b.name; }

    public Object call(Tensor[] in, Params p) { return b.call.apply(in, p); }

    /** The float64 reference, or null for ops checked by a {@link #property} only (random ops). */
    public Reference reference() { return b.reference; }

    public Property property() { return b.property; }

    /** The samples (fresh each call, from the same seed). */
    public List<Sample> samples() { return b.samples.make(new Random(seed())); }

    public Set<DType> dtypes() { return b.dtypes; }

    /** Dtypes the op must refuse with an exception naming it. */
    public Set<DType> refused() { return b.refused; }

    /** Whether the op is defined on integer tensors. */
    public boolean integerSupport() { return b.dtypes.contains(DType.INT32) || b.dtypes.contains(DType.INT64); }

    /** The dtype of the (first) result for inputs of {@code tested} and the sample's parameters. */
    public DType resultType(DType tested, Params p) { return b.resultType.apply(tested, p); }

    /** The device the (first) result lives on when the op runs on {@code device}. */
    public Device resultDevice(Device device) { return b.resultDevice.apply(device); }

    /** Whether the op writes its first input (in-place ops); the others must leave their inputs as they were. */
    public boolean writesInput() { return b.family == Family.IN_PLACE || b.writesInput; }

    public boolean differentiable() { return b.differentiable; }

    /** Points the gradcheck keeps its inputs away from (kinks, discontinuities). */
    public double[] gradAvoid() { return b.gradAvoid; }

    /** Relative tolerance (and absolute near zero) for a result of {@code out} from {@code sample}. */
    public double tolerance(DType out, Sample sample) {
        double base = switch (out) {
            case FLOAT32 -> b.tolF32;
            case FLOAT64 -> b.tolF64;
            default -> 0;
        };
        return base * b.tolScale.applyAsDouble(sample);
    }

    public List<ErrorInput> errors() { return b.errors.make(new Random(seed() + 1)); }

    /**
     * Samples (by label) of a suite that must fail until a known bug is fixed, where {@code applies}; finer than
     * {@link Skip}, so the entry's other samples keep running.
     */
    public record SampleXfail(Suite suite, String label, BiPredicate<Device, DType> applies, String reason) {}

    /** The expected failure of {@code sample} in {@code suite} on {@code device} in {@code dtype}, or null. */
    public SampleXfail xfail(Suite suite, Sample sample, Device device, DType dtype) { return xfail(suite, sample.label(), device, dtype); }

    /** The expected failure of the case labelled {@code label} (a sample's, or an {@link ErrorInput}'s in the ERRORS suite), or null. */
    public SampleXfail xfail(Suite suite, String label, Device device, DType dtype) {
        for (SampleXfail x : b.sampleXfails)
            if (x.suite() == suite && x.label().equals(label) && x.applies().test(device, dtype)) return x;
        return null;
    }

    /** The skip or expected failure of {@code suite} on {@code device} in {@code dtype}, or null. */
    public Skip skipped(Suite suite, Device device, DType dtype) {
        for (Skip s : b.skips) if (s.suite() == suite && s.applies().test(device, dtype)) return s;
        return null;
    }

    public Promotion promotion() { return b.promotion; }

    /** The parameters of the promotion suite's call (PyTorch's call in the expectations script takes the same). */
    public Params promotionParams() { return b.promotionParams; }

    public List<Divergence> divergences() { return b.divergences; }

    /** Why operands on two devices are accepted, or null when the op must refuse them. */
    public String deviceMixAllowed() { return b.deviceMixAllowed; }

    private long seed() { return b.name.hashCode() * 0x9E3779B97F4A7C15L; }

    @Override
    public String toString() { return b.name; }

    /** Builds an entry; only the name, family, methods, call and samples are required. */
    public static final class Builder {
        private final String name;
        private final Family family;
        private final Set<String> methods = new LinkedHashSet<>();
        private final Set<String> enums = new LinkedHashSet<>();
        private Call call;
        private Reference reference;
        private Property property;
        private Samples samples;
        private Set<DType> dtypes = EnumSet.of(DType.FLOAT32, DType.FLOAT64);
        private Set<DType> refused = EnumSet.noneOf(DType.class);
        private BiFunction<DType, Params, DType> resultType = (d, p) -> d;
        private UnaryOperator<Device> resultDevice = UnaryOperator.identity();
        private boolean differentiable;
        private double[] gradAvoid = {};
        private double tolF32 = 4e-6, tolF64 = 1e-12;
        private ToDoubleFunction<Sample> tolScale = s -> 1;
        private Errors errors = r -> List.of();
        private final List<Skip> skips = new ArrayList<>();
        private final List<SampleXfail> sampleXfails = new ArrayList<>();
        private Promotion promotion = Promotion.NONE;
        private Params promotionParams = Params.NONE;
        private boolean writesInput;
        private final List<Divergence> divergences = new ArrayList<>();
        private String errorName;
        private String deviceMixAllowed;

        private Builder(String name, Family family) {
            this.name = name;
            this.family = family;
        }

        public Builder methods(String... signatures) { methods.addAll(List.of(signatures)); return this; }

        public Builder enums(Enum<?>... constants) {
            for (Enum<?> c : constants) enums.add(c.getDeclaringClass().getSimpleName() + "." + c.name());
            return this;
        }

        public Builder op(Call c) { call = c; return this; }

        public Builder ref(Reference r) { reference = r; return this; }

        public Builder property(Property p) { property = p; return this; }

        public Builder samples(Samples s) { samples = s; return this; }

        /** The dtypes the conformance suite runs (default FLOAT32 and FLOAT64). */
        public Builder dtypes(DType... d) { dtypes = d.length == 0 ? EnumSet.noneOf(DType.class) : EnumSet.copyOf(List.of(d)); return this; }

        public Builder refuses(DType... d) { refused = d.length == 0 ? EnumSet.noneOf(DType.class) : EnumSet.copyOf(List.of(d)); return this; }

        public Builder result(UnaryOperator<DType> rule) { resultType = (d, p) -> rule.apply(d); return this; }

        /** A result dtype that depends on the sample's parameters too (a Java double or long scalar). */
        public Builder result(BiFunction<DType, Params, DType> rule) { resultType = rule; return this; }

        public Builder resultDevice(UnaryOperator<Device> rule) { resultDevice = rule; return this; }

        public Builder differentiable() { differentiable = true; return this; }

        public Builder gradAvoid(double... points) { gradAvoid = points; return this; }

        public Builder tol(double float32, double float64) { tolF32 = float32; tolF64 = float64; return this; }

        /** Scales the tolerance per sample (e.g. with the number of terms summed into each element). */
        public Builder tolScale(ToDoubleFunction<Sample> scale) { tolScale = scale; return this; }

        public Builder errors(Errors e) { errors = e; return this; }

        public Builder skip(Suite suite, String reason, BiPredicate<Device, DType> applies) { skips.add(new Skip(suite, applies, reason, false)); return this; }

        /** The samples labelled {@code label} must fail in {@code suite} until a known bug is fixed. */
        public Builder xfailSample(Suite suite, String label, String reason, BiPredicate<Device, DType> applies) {
            sampleXfails.add(new SampleXfail(suite, label, applies, reason));
            return this;
        }

        /** The error input labelled {@code label} must fail its check until a known bug is fixed, where {@code applies}. */
        public Builder xfailError(String label, String reason, BiPredicate<Device, DType> applies) {
            return xfailSample(Suite.ERRORS, label, reason, applies);
        }

        /** Cases of {@code suite} that must fail until a known bug is fixed. */
        public Builder xfail(Suite suite, String reason, BiPredicate<Device, DType> applies) { skips.add(new Skip(suite, applies, reason, true)); return this; }

        public Builder promotion(Promotion p) { promotion = p; return this; }

        public Builder promotion(Promotion p, Params params) { promotion = p; promotionParams = params; return this; }

        /** Marks an op that writes its first input (in-place ops, random fills). */
        public Builder writesInput() { writesInput = true; return this; }

        /** Promotion cases whose key contains {@code fragment} where Ember knowingly differs from PyTorch. */
        public Builder diverges(String fragment, String reason) {
            divergences.add(new Divergence(k -> k.contains(fragment), fragment, reason));
            return this;
        }

        public Builder diverges(Predicate<String> cases, String description, String reason) {
            divergences.add(new Divergence(cases, description, reason));
            return this;
        }

        public Builder errorName(String n) { errorName = n; return this; }

        public Builder deviceMixAllowed(String reason) { deviceMixAllowed = reason; return this; }

        public OpInfo build() {
            if (methods.isEmpty() || call == null || samples == null)
                throw new IllegalStateException("OpInfo " + name + ": methods, op and samples are required");
            if (reference == null && property == null) throw new IllegalStateException("OpInfo " + name + ": needs a reference or a property");
            return new OpInfo(this);
        }
    }
}
