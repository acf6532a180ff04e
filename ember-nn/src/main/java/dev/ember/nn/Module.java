package dev.ember.nn;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The base of every layer and model, as {@code torch.nn.Module}: it owns named parameters,
 * buffers and submodules, switches between training and evaluation mode, moves to a device,
 * and reads and writes its state as a flat {@code name -> tensor} map with PyTorch's dotted
 * names ({@code "0.weight"}, {@code "features.1.running_mean"}), saved as safetensors.
 *
 * <p>Import it explicitly ({@code import dev.ember.nn.Module;}): {@code java.lang.Module}
 * shares the simple name.
 */
public abstract class Module {
    private final Map<String, Parameter> slots = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Computes the output from {@code input}; shapes are documented by each module. */
    public abstract Tensor forward(Tensor input);

    // ---- registration -------------------------------------------------------------------

    /** Registers a learnable parameter under {@code name}; returns its slot. */
    protected Parameter registerParameter(String name, Tensor value) {
        return register(name, new Parameter(value, true));
    }

    /** Registers a buffer (state that is saved but not learned, such as running statistics). */
    protected Parameter registerBuffer(String name, Tensor value) {
        return register(name, new Parameter(value, false));
    }

    /** Registers a submodule under {@code name}; returns it. */
    protected <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private Parameter register(String name, Parameter p) {
        checkName(name);
        slots.put(name, p);
        return p;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid name '" + name + "'");
        if (slots.containsKey(name) || children.containsKey(name))
            throw new IllegalArgumentException(getClass().getSimpleName() + ": '" + name + "' is already registered");
    }

    // ---- traversal ----------------------------------------------------------------------

    /** All learnable tensors of this module and its submodules, in registration order. */
    public List<Tensor> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** Learnable tensors by dotted name. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedSlots("").forEach((k, p) -> { if (p.learnable()) out.put(k, p.value()); });
        return out;
    }

    /** Buffers by dotted name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedSlots("").forEach((k, p) -> { if (!p.learnable()) out.put(k, p.value()); });
        return out;
    }

    /** The direct submodules by name. */
    public Map<String, Module> children() { return java.util.Collections.unmodifiableMap(children); }

    /** This module and all submodules by dotted name ({@code ""} for this one). */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        out.put("", this);
        children.forEach((n, c) -> c.namedModules().forEach((k, m) -> out.put(k.isEmpty() ? n : n + "." + k, m)));
        return out;
    }

    private Map<String, Parameter> namedSlots(String prefix) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        slots.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> out.putAll(c.namedSlots(prefix + n + ".")));
        return out;
    }

    // ---- modes and devices --------------------------------------------------------------

    /** Training mode (dropout active, batch statistics); returns this. */
    public Module train() { return train(true); }

    /** Sets training mode on this module and its submodules; returns this. */
    public Module train(boolean mode) {
        training = mode;
        children.values().forEach(c -> c.train(mode));
        return this;
    }

    /** Evaluation mode (no dropout, running statistics); returns this. */
    public Module eval() { return train(false); }

    /** Whether this module is in training mode. */
    public boolean isTraining() { return training; }

    /** Moves every parameter and buffer to {@code device}; returns this. */
    public Module to(Device device) {
        for (Parameter p : namedSlots("").values()) {
            if (!p.value().device().equals(device)) p.set(p.value().detach().to(device));
        }
        return this;
    }

    /**
     * Converts every floating-point parameter and buffer to {@code dtype} (a floating-point type), as
     * {@code module.to(torch.bfloat16)}: integer and BOOL buffers (a step counter) keep their dtype. A
     * 16-bit model stores half the bytes and computes each op in float32 with one rounding. As with
     * {@link #to(Device)}, convert before creating the optimizer, which holds the parameter tensors.
     * Returns this.
     */
    public Module to(DType dtype) {
        if (!dtype.isFloatingPoint())
            throw new IllegalArgumentException("Module.to: dtype must be floating point, got " + dtype);
        for (Parameter p : namedSlots("").values()) {
            Tensor v = p.value();
            if (v.dtype().isFloatingPoint() && v.dtype() != dtype) p.set(v.detach().to(dtype));
        }
        return this;
    }

    /** Clears the gradients of all parameters. */
    public void zeroGrad() { for (Tensor t : parameters()) t.setGrad(null); }

    // ---- state --------------------------------------------------------------------------

    /** Parameters and buffers by dotted name (the live tensors, detached). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedSlots("").forEach((k, p) -> out.put(k, p.value().detach()));
        return out;
    }

    /** Copies {@code state} into this module's tensors; strict: the key sets must match exactly. */
    public void loadStateDict(Map<String, Tensor> state) { loadStateDict(state, true); }

    /**
     * Copies {@code state} into this module's tensors (converted to their dtype and device, as PyTorch's
     * {@code copy_}). Shapes must match, and dtypes be of the same kind (floating point, integer or
     * bool); with {@code strict}, missing or unexpected keys are an error. All or nothing: everything is
     * checked and converted before the first tensor is written, so on error the module is unchanged.
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) { stageLoadStateDict(state, strict).run(); }

    /**
     * Checks {@code state} as {@link #loadStateDict(Map, boolean)} does and converts it to each tensor's
     * dtype and device, without changing this module; returns the action that copies it in, which cannot
     * fail. A caller restoring several objects together (as {@code Trainer.resume} does) stages them all
     * before running any.
     */
    public Runnable stageLoadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Parameter> mine = namedSlots("");
        if (strict) {
            Set<String> missing = new LinkedHashSet<>(mine.keySet());
            missing.removeAll(state.keySet());
            Set<String> unexpected = new LinkedHashSet<>(state.keySet());
            unexpected.removeAll(mine.keySet());
            if (!missing.isEmpty() || !unexpected.isEmpty())
                throw new IllegalArgumentException("loadStateDict: missing keys " + missing + ", unexpected keys " + unexpected);
        }
        List<Tensor> targets = new ArrayList<>(), sources = new ArrayList<>();
        try (var ignored = Ember.noGrad()) {
            for (var e : mine.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src == null) continue;
                Tensor dst = e.getValue().value();
                if (!Arrays.equals(src.shape(), dst.shape()))
                    throw new IllegalArgumentException("loadStateDict: '" + e.getKey() + "' has shape " + Arrays.toString(src.shape())
                            + " in the state but " + Arrays.toString(dst.shape()) + " in the module");
                if (kind(src.dtype()) != kind(dst.dtype()))
                    throw new IllegalArgumentException("loadStateDict: '" + e.getKey() + "' has dtype " + src.dtype() + " in the state but "
                            + dst.dtype() + " in the module");
                targets.add(dst);
                sources.add(src.to(dst.dtype()).to(dst.device()));
            }
        }
        return () -> {
            try (var ignored = Ember.noGrad()) {
                for (int i = 0; i < targets.size(); i++) targets.get(i).copyFrom(sources.get(i));
            }
        };
    }

    /** 0 floating point, 1 integer, 2 bool: a state converts within its kind, as weights into weights. */
    private static int kind(DType d) { return d.isFloatingPoint() ? 0 : d == DType.BOOL ? 2 : 1; }

    /** Writes {@link #stateDict()} to {@code path} as safetensors. */
    public void save(Path path) { SafeTensors.write(path, stateDict()); }

    /** Loads weights written by {@link #save} (or by Python's safetensors) into this module. */
    public void load(Path path) { loadStateDict(SafeTensors.read(path)); }

    /** Number of learnable scalars. */
    public long parameterCount() { return parameters().stream().mapToLong(Tensor::numel).sum(); }

    /** A one-line description such as {@code Linear(in=784, out=10)}. */
    @Override
    public String toString() {
        if (children.isEmpty()) return getClass().getSimpleName() + "()";
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append("(\n");
        children.forEach((n, c) -> sb.append("  (").append(n).append("): ").append(c.toString().replace("\n", "\n  ")).append('\n'));
        return sb.append(')').toString();
    }
}
