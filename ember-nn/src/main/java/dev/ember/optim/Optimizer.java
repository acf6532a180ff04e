package dev.ember.optim;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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

    /** Adds a group; options it lacks take this optimizer's defaults. Invalid options are refused and the group is not added. */
    public void addParamGroup(ParamGroup group) {
        Map<String, Double> merged = new LinkedHashMap<>(defaults);
        merged.putAll(group.options());
        Hyperparameters.checkAll(getClass().getSimpleName(), merged);
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

    /**
     * Updates every parameter that has a gradient, under {@code noGrad}. State the update creates (moments,
     * momentum buffers, step counts) {@linkplain TensorScope#escape escapes} the scope of the step.
     */
    public final void step() {
        try (var ignored = Ember.noGrad()) {
            for (ParamGroup g : groups)
                for (Tensor p : g.params()) {
                    if (p.grad() == null) continue;
                    Map<String, Tensor> s = stateOf(p);
                    update(p, p.grad().contiguous(), g, s);
                    for (Tensor t : s.values()) TensorScope.escape(t);
                }
        }
    }

    /** Updates one parameter in place from its gradient; {@code state} is this parameter's (initially empty) state. */
    protected abstract void update(Tensor param, Tensor grad, ParamGroup group, Map<String, Tensor> state);

    /**
     * The names of the state a parameter holds once it has been updated under a group's {@code options}
     * (Adam: {@code step, exp_avg, exp_avg_sq}); {@link #loadStateDict} requires exactly these.
     */
    protected abstract Set<String> stateNames(Map<String, Double> options);

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

    /**
     * Restores a map from {@link #stateDict()} of an optimizer of the same kind over parameters of the
     * same shapes and order. All or nothing: the map is checked in full first (every group's options
     * present and valid, every state entry of a known parameter with its shape and a floating dtype, and
     * each parameter's state complete for its options), and on any error this optimizer is unchanged.
     */
    public void loadStateDict(Map<String, Tensor> dict) { stageLoadStateDict(dict).run(); }

    /**
     * Checks {@code dict} as {@link #loadStateDict} does and makes the copies it needs, without changing
     * this optimizer; returns the action that installs them, which cannot fail. A caller restoring several
     * objects together (as {@code Trainer.resume} does) stages them all before running any.
     */
    public Runnable stageLoadStateDict(Map<String, Tensor> dict) {
        String op = getClass().getSimpleName() + ".loadStateDict";
        List<Tensor> all = new ArrayList<>();
        List<Integer> groupOf = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++)
            for (Tensor p : groups.get(g).params()) {
                all.add(p);
                groupOf.add(g);
            }
        List<Map<String, Double>> options = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) options.add(new LinkedHashMap<>());
        List<Map<String, Tensor>> states = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) states.add(new LinkedHashMap<>());
        try (var ignored = Ember.noGrad()) {
            for (var e : dict.entrySet()) {
                String key = e.getKey();
                Tensor v = e.getValue();
                String[] parts = key.split("\\.", 3);
                if (parts.length != 3 || !(parts[0].equals("group") || parts[0].equals("state")))
                    throw new IllegalArgumentException(op + ": unexpected key '" + key + "' (expected group.<g>.<option> or state.<i>.<name>)");
                int i = index(op, key, parts[1]);
                String name = parts[2];
                if (parts[0].equals("group")) {
                    if (i >= groups.size())
                        throw new IllegalArgumentException(op + ": '" + key + "' is for group " + i + " but this optimizer has " + groups.size());
                    if (!defaults.containsKey(name) && !groups.get(i).options().containsKey(name) && !name.equals("initial_lr"))
                        throw new IllegalArgumentException(op + ": '" + key + "': " + getClass().getSimpleName() + " has no option '" + name
                                + "' (its options are " + defaults.keySet() + ")");
                    if (v.numel() != 1) throw new IllegalArgumentException(op + ": option '" + key + "' has " + v.numel() + " values, not 1");
                    double value = v.item();
                    Hyperparameters.check(op, name, value);
                    options.get(i).put(name, value);
                } else {
                    if (i >= all.size())
                        throw new IllegalArgumentException(op + ": '" + key + "' is for parameter " + i + " but this optimizer has " + all.size());
                    states.get(i).put(name, stateCopy(op, key, name, v, all.get(i)));
                }
            }
        }
        for (int g = 0; g < groups.size(); g++) {
            Set<String> missing = new TreeSet<>(defaults.keySet());
            missing.removeAll(options.get(g).keySet());
            if (!missing.isEmpty())
                throw new IllegalArgumentException(op + ": no options " + missing + " for group " + g + "; is this the state of a "
                        + getClass().getSimpleName() + "?");
            Hyperparameters.checkAll(op, options.get(g));
        }
        for (int i = 0; i < all.size(); i++) {
            Map<String, Tensor> s = states.get(i);
            Set<String> expected = stateNames(options.get(groupOf.get(i)));
            if (!s.isEmpty() && !s.keySet().equals(expected))
                throw new IllegalArgumentException(op + ": parameter " + i + " has state " + new TreeSet<>(s.keySet()) + " but a "
                        + getClass().getSimpleName() + " with these options keeps " + new TreeSet<>(expected));
        }
        for (Map<String, Tensor> s : states) for (Tensor t : s.values()) TensorScope.escape(t);
        return () -> {
            for (int g = 0; g < groups.size(); g++) options.get(g).forEach(groups.get(g)::set);
            state.clear();
            for (int i = 0; i < all.size(); i++) if (!states.get(i).isEmpty()) state.put(all.get(i), states.get(i));
        };
    }

    private static int index(String op, String key, String text) {
        try {
            int i = Integer.parseInt(text);
            if (i >= 0) return i;
        } catch (NumberFormatException ignored) { /* reported below */ }
        throw new IllegalArgumentException(op + ": unexpected key '" + key + "': '" + text + "' is not an index");
    }

    /** A private copy of one state tensor: {@code step} a 0-d INT64 count, anything else a floating tensor of the parameter's shape. */
    private static Tensor stateCopy(String op, String key, String name, Tensor v, Tensor param) {
        if (name.equals("step")) {
            if (v.numel() != 1 || !v.dtype().isIntegral() || v.dtype() == DType.BOOL)
                throw new IllegalArgumentException(op + ": '" + key + "' must be one integer, got " + v.dtype() + " " + Arrays.toString(v.shape()));
            long step = v.itemLong();
            if (step < 0) throw new IllegalArgumentException(op + ": '" + key + "' is " + step + "; a step count is >= 0");
            return Tensor.scalar(step, DType.INT64);
        }
        if (!Arrays.equals(v.shape(), param.shape()))
            throw new IllegalArgumentException(op + ": state '" + key + "' has shape " + Arrays.toString(v.shape()) + " but its parameter has "
                    + Arrays.toString(param.shape()));
        if (!v.dtype().isFloatingPoint())
            throw new IllegalArgumentException(op + ": state '" + key + "' has dtype " + v.dtype() + "; optimizer state is floating point");
        return v.to(param.dtype()).to(param.device()).clone(); // a copy of its own: steps update state in place
    }
}
