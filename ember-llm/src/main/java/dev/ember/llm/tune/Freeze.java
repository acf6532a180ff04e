package dev.ember.llm.tune;

import dev.ember.Tensor;
import dev.ember.nn.Module;
import dev.ember.nn.lm.GPT;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Freeze tuning, as LLaMA-Factory's {@code finetuning_type: freeze}: only some parameters of the model are trained,
 * the others stop requiring gradients. {@link #lastBlocks} trains the last {@code n} transformer blocks of a GPT
 * (optionally only their modules of the given names, e.g. {@code mlp}) plus extra named modules (e.g. {@code ln_f});
 * {@link #trainOnly} trains the parameters whose names match a pattern.
 */
public final class Freeze {
    private Freeze() {}

    /**
     * Trains the last {@code n} blocks ({@code h.<i>.*}, {@code i >= layers - n}) of {@code model}, only their
     * {@code modules} when given (e.g. {@code "mlp"} trains {@code h.<i>.mlp.*}), and every parameter under the
     * {@code extra} module names (e.g. {@code "ln_f"}); returns the names of the trained parameters.
     */
    public static List<String> lastBlocks(GPT model, int n, List<String> modules, List<String> extra) {
        int layers = model.config().layers();
        if (n <= 0 || n > layers) throw new IllegalArgumentException("freeze: the number of trainable blocks must be in [1, " + layers + "], got " + n);
        List<String> trained = trainOnly(model, name -> {
            for (String e : extra) if (name.equals(e) || name.startsWith(e + ".")) return true;
            if (!name.startsWith("h.")) return false;
            int dot = name.indexOf('.', 2);
            int block = Integer.parseInt(name.substring(2, dot));
            if (block < layers - n) return false;
            if (modules.isEmpty()) return true;
            String rest = name.substring(dot + 1);
            for (String m : modules) if (rest.startsWith(m + ".")) return true;
            return false;
        });
        if (trained.isEmpty()) throw new IllegalArgumentException("freeze: modules " + modules + " match nothing in the last " + n + " blocks");
        return trained;
    }

    /** Trains the parameters whose names fully match {@code regex} and freezes the rest; returns the trained names. */
    public static List<String> trainOnly(Module model, String regex) {
        Pattern p = Pattern.compile(regex);
        List<String> trained = trainOnly(model, name -> p.matcher(name).matches());
        if (trained.isEmpty()) throw new IllegalArgumentException("freeze: no parameter name matches '" + regex + "'");
        return trained;
    }

    /** Trains the parameters whose names {@code trainable} accepts and freezes the rest; returns the trained names. */
    public static List<String> trainOnly(Module model, Predicate<String> trainable) {
        List<String> trained = new ArrayList<>();
        for (var e : model.namedParameters().entrySet()) {
            boolean t = trainable.test(e.getKey());
            e.getValue().requiresGrad(t);
            if (t) trained.add(e.getKey());
        }
        return trained;
    }

    /** The parameters of {@code model} that require gradients (what an optimizer should get). */
    public static List<Tensor> trainable(Module model) {
        return model.parameters().stream().filter(Tensor::requiresGrad).toList();
    }

    /** Number of scalars in the parameters of {@code model} that require gradients. */
    public static long trainableCount(Module model) { return trainable(model).stream().mapToLong(Tensor::numel).sum(); }
}
