package dev.ember.studio.runs;

import java.util.List;

/**
 * One hyperparameter of a preset, as the page shows it: a typed value with a default, bounds and help text
 * in English and Chinese.
 *
 * @param name    the key in the arguments file ({@code batch_size})
 * @param type    {@code int}, {@code float}, {@code choice} or {@code text} (a string: a path, a list of names)
 * @param value   the default
 * @param min     the smallest value allowed (numbers)
 * @param max     the largest value allowed (numbers)
 * @param choices the values allowed ({@code choice})
 * @param help    help text in English
 * @param helpZh  help text in Chinese
 * @param when    {@code key=value} when the parameter only matters for that value of another (the page hides it
 *                otherwise, e.g. {@code method=lora}); null when it always matters
 */
public record Param(String name, String type, Object value, Double min, Double max, List<String> choices, String help, String helpZh,
                    String when) {
    static Param integer(String name, long value, long min, long max, String help, String helpZh) {
        return new Param(name, "int", value, (double) min, (double) max, null, help, helpZh, null);
    }

    static Param real(String name, double value, double min, double max, String help, String helpZh) {
        return new Param(name, "float", value, min, max, null, help, helpZh, null);
    }

    static Param choice(String name, String value, List<String> choices, String help, String helpZh) {
        return new Param(name, "choice", value, null, null, List.copyOf(choices), help, helpZh, null);
    }

    static Param text(String name, String value, String help, String helpZh) {
        return new Param(name, "text", value, null, null, null, help, helpZh, null);
    }

    /** This parameter, shown only when {@code key} has {@code value}. */
    Param when(String key, String value) {
        return new Param(name, type, this.value, min, max, choices, help, helpZh, key + "=" + value);
    }
}
