package dev.ember.optim;

import java.util.Map;

/**
 * The valid range of each optimizer option, by its PyTorch name, with PyTorch's messages
 * ({@code Invalid learning rate: NaN}). One table for every optimizer, so an option is checked the
 * same way when a builder sets it, when a {@link ParamGroup} overrides it, when a scheduler or a
 * user changes it later, and when a state dict restores it. Unlike PyTorch, NaN and infinities are
 * refused everywhere: no option has a meaning for them, and they only surface later as NaN weights.
 */
final class Hyperparameters {
    private Hyperparameters() {}

    /** Throws {@link IllegalArgumentException} ({@code "<owner>: Invalid ... value: v"}) unless {@code value} is valid for option {@code name}. */
    static void check(String owner, String name, double value) {
        switch (name) {
            case "lr", "initial_lr" -> atLeastZero(owner, "Invalid learning rate: ", value);
            case "eps" -> atLeastZero(owner, "Invalid epsilon value: ", value);
            case "beta1" -> belowOne(owner, "Invalid beta parameter at index 0: ", value);
            case "beta2" -> belowOne(owner, "Invalid beta parameter at index 1: ", value);
            case "alpha" -> { // RMSprop's smoothing constant; above 1 it makes the running average of g^2 negative
                if (!(value >= 0 && value <= 1)) throw new IllegalArgumentException(owner + ": Invalid alpha value: " + value + " (must be in [0, 1])");
            }
            case "momentum", "weight_decay", "lr_decay", "initial_accumulator_value", "dampening" ->
                    atLeastZero(owner, "Invalid " + name + " value: ", value);
            case "nesterov", "centered" -> { // flags are stored as 0 or 1 so that a state dict holds only numbers
                if (value != 0 && value != 1) throw new IllegalArgumentException(owner + ": Invalid " + name + " value: " + value + " (must be 0 or 1)");
            }
            default -> {
                if (!Double.isFinite(value)) throw new IllegalArgumentException(owner + ": Invalid " + name + " value: " + value + " (must be finite)");
            }
        }
    }

    /** Checks every option and the rules that tie options together (Nesterov needs momentum and no dampening). */
    static void checkAll(String owner, Map<String, Double> options) {
        options.forEach((name, value) -> check(owner, name, value));
        if (options.getOrDefault("nesterov", 0.0) != 0
                && (options.getOrDefault("momentum", 0.0) <= 0 || options.getOrDefault("dampening", 0.0) != 0))
            throw new IllegalArgumentException(owner + ": Nesterov momentum requires a momentum and zero dampening");
    }

    private static void atLeastZero(String owner, String message, double value) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY))
            throw new IllegalArgumentException(owner + ": " + message + value + " (must be a finite number >= 0)");
    }

    private static void belowOne(String owner, String message, double value) {
        if (!(value >= 0 && value < 1)) throw new IllegalArgumentException(owner + ": " + message + value + " (must be in [0, 1))");
    }
}
