package dev.ember.ml.selection;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each metric's value on each fold, with mean and standard deviation across folds.
 * The standard deviation is the population one (divide by k), as {@code numpy.std} and
 * scikit-learn's {@code cross_validate} summaries use.
 *
 * @param perFold metric name -> values, one per fold in fold order
 */
public record CrossValidationResult(Map<String, double[]> perFold) {
    /** The values of metric {@code name}, one per fold. */
    public double[] values(String name) {
        double[] v = perFold.get(name);
        if (v == null) throw new IllegalArgumentException("CrossValidationResult: no metric '" + name + "', have " + perFold.keySet());
        return v.clone();
    }

    /** Mean of metric {@code name} over the folds. */
    public double mean(String name) {
        double s = 0;
        double[] v = values(name);
        for (double x : v) s += x;
        return s / v.length;
    }

    /** Population standard deviation of metric {@code name} over the folds. */
    public double std(String name) {
        double m = mean(name), s = 0;
        double[] v = values(name);
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / v.length);
    }

    /** Metric name -> {mean, std}, in the order the metrics were given. */
    public Map<String, double[]> summary() {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String name : perFold.keySet()) out.put(name, new double[]{mean(name), std(name)});
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        summary().forEach((name, ms) -> sb.append(String.format("%s: %.4f ± %.4f%n", name, ms[0], ms[1])));
        return sb.toString();
    }
}
