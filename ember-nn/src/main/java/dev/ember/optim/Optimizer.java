package dev.ember.optim;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of every optimizer, as {@code torch.optim.Optimizer}: parameter groups with
 * per-group options, per-parameter state tensors, {@link #zeroGrad()}, {@link #step()} and a
 * flat state dict for checkpoints. Parameters are numbered in group order; state entries are
 * named {@code "state.<index>.<name>"} and options {@code "group.<g>.<option>"} (0-d FLOAT64).
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups = new ArrayList<>();
    private final Map<String, Double> defaults;
    private final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();

    /** One group of {@code params} with {@code defaults}. */
    protected Optimizer(List<Tensor> params, Map<String, Double> defaults) {
        this.defaults = new LinkedHashMap<>(defaults);
        addParamGroup(new ParamGroup(params, Map.of()));
    }

    /** Several groups; each group's options override {@code defaults}. */
    protected Optimizer(List<ParamGroup> groups, Map<String, Double> defaults, boolean grouped) {
        this.defaults = new LinkedHashMap<>(defaults);
        for (ParamGroup g : groups) addParamGroup(g);
    }

    /** Adds a group; options it lacks take this optimizer's defaults. */
    public void addParamGroup(ParamGroup group) {
        if (group.params().isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": a parameter group is empty");
        for (Tensor p : group.params()) {
            if (!p.requiresGrad()) throw new IllegalArgumentException(getClass().getSimpleName() + ": a parameter of shape "
                    + java.util.Arrays.toString(p.shape()) + " does not require grad");
            for (ParamGroup g : groups)
                for (Tensor q : g.params())
                    if (q == p) throw new IllegalArgumentException(getClass().getSimpleName() + ": a parameter appears in more than one group");
        }
        defaults.forEach(group::putDefault);
        groups.add(group);
    }

    /** The parameter groups, in order. */
    public List<ParamGroup> paramGroups() { return java.util.Collections.unmodifiableList(groups); }

    /** The default value of an option. */
    public double defaultOption(String name) { return defaults.get(name); }

    /** Clears every parameter's gradient (PyTorch's {@code set_to_none=True}). */
    public void zeroGrad() {
        for (ParamGroup g : groups) for (Tensor p : g.params()) p.setGrad(null);
    }

    /** Updates every parameter that has a gradient, under {@code noGrad}. */
    public final void step() {
        try (var ignored = Ember.noGrad()) {
            for (ParamGroup g : groups)
                for (Tensor p : g.params())
                    if (p.grad() != null) update(p, p.grad().contiguous(), g, stateOf(p));
        }
    }

    /** Updates one parameter in place from its gradient; {@code state} is this parameter's (initially empty) state. */
    protected abstract void update(Tensor param, Tensor grad, ParamGroup group, Map<String, Tensor> state);

    private Map<String, Tensor> stateOf(Tensor p) { return state.computeIfAbsent(p, k -> new LinkedHashMap<>()); }

    /** Reads the step counter kept as a 0-d INT64 state tensor. */
    protected static long incrementStep(Map<String, Tensor> state, Tensor param) {
        Tensor step = state.computeIfAbsent("step", k -> Tensor.zeros(DType.INT64));
        long next = step.itemLong() + 1;
        step.fillInPlace(next);
        return next;
    }

    /** A zero tensor like {@code param} (contiguous, same dtype and device). */
    protected static Tensor zerosLike(Tensor param) { return Tensor.zerosLike(param); }

    // ---- state dict --------------------------------------------------------------------

    /** The state and the group options as a flat map (see the class comment). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int index = 0;
        for (int g = 0; g < groups.size(); g++) {
            for (var e : groups.get(g).options().entrySet()) out.put("group." + g + "." + e.getKey(), Tensor.scalar(e.getValue(), DType.FLOAT64));
            for (Tensor p : groups.get(g).params()) {
                Map<String, Tensor> s = state.get(p);
                if (s != null) for (var e : s.entrySet()) out.put("state." + index + "." + e.getKey(), e.getValue().detach().cpu().clone());
                index++;
            }
        }
        return out;
    }

    /** Restores a map from {@link #stateDict()} of an optimizer over parameters of the same shapes and order. */
    public void loadStateDict(Map<String, Tensor> dict) {
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup g : groups) all.addAll(g.params());
        state.clear();
        try (var ignored = Ember.noGrad()) {
            for (var e : dict.entrySet()) {
                String[] parts = e.getKey().split("\\.", 3);
                if (parts.length != 3) throw new IllegalArgumentException("Optimizer.loadStateDict: unexpected key '" + e.getKey() + "'");
                int i = Integer.parseInt(parts[1]);
                if (parts[0].equals("group")) {
                    if (i >= groups.size()) throw new IllegalArgumentException("Optimizer.loadStateDict: group " + i + " but this optimizer has " + groups.size());
                    groups.get(i).set(parts[2], e.getValue().item());
                } else if (parts[0].equals("state")) {
                    if (i >= all.size()) throw new IllegalArgumentException("Optimizer.loadStateDict: parameter " + i + " but this optimizer has " + all.size());
                    Tensor p = all.get(i), v = e.getValue();
                    if (v.dim() > 0 && !java.util.Arrays.equals(v.shape(), p.shape()))
                        throw new IllegalArgumentException("Optimizer.loadStateDict: state '" + e.getKey() + "' has shape " + java.util.Arrays.toString(v.shape())
                                + " but parameter " + i + " has " + java.util.Arrays.toString(p.shape()));
                    Tensor copy = v.dim() > 0 ? v.to(p.dtype()).to(p.device()).clone() : v.clone();
                    stateOf(p).put(parts[2], copy);
                } else {
                    throw new IllegalArgumentException("Optimizer.loadStateDict: unexpected key '" + e.getKey() + "'");
                }
            }
        }
    }
}
