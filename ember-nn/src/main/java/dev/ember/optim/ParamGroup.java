package dev.ember.optim;

import dev.ember.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of parameters sharing hyper-parameters, as an entry of PyTorch's {@code param_groups}:
 * the tensors and named numeric options ({@code lr}, {@code momentum}, {@code weight_decay}, ...).
 * Schedulers change {@code lr} here. Every option is checked when it is set ({@link Hyperparameters}),
 * so a NaN or negative learning rate is refused where it comes from, not found later as NaN weights.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final Map<String, Double> options;

    /** A group of {@code params} with option overrides (missing options take the optimizer's defaults); invalid values are refused. */
    public ParamGroup(List<Tensor> params, Map<String, Double> options) {
        Hyperparameters.checkAll("ParamGroup", options);
        this.params = List.copyOf(params);
        this.options = new LinkedHashMap<>(options);
    }

    /** The parameters of this group. */
    public List<Tensor> params() { return params; }

    /** The value of option {@code name}. */
    public double get(String name) {
        Double v = options.get(name);
        if (v == null) throw new IllegalArgumentException("ParamGroup: no option '" + name + "' (have " + options.keySet() + ")");
        return v;
    }

    /** Sets option {@code name}; an invalid value (a NaN or negative lr, betas outside [0, 1), ...) is refused and changes nothing. */
    public void set(String name, double value) {
        Map<String, Double> next = new LinkedHashMap<>(options);
        next.put(name, value);
        Hyperparameters.checkAll("ParamGroup", next);
        options.put(name, value);
    }

    /** The learning rate of this group. */
    public double lr() { return get("lr"); }

    /** Sets the learning rate of this group. */
    public void setLr(double lr) { set("lr", lr); }

    /** The options, read-only. */
    public Map<String, Double> options() { return java.util.Collections.unmodifiableMap(options); }

    void putDefault(String name, double value) { options.putIfAbsent(name, value); }
}
