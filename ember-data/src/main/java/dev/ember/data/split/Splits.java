package dev.ember.data.split;

import dev.ember.Generator;
import dev.ember.Tensor;
import dev.ember.data.Dataset;
import dev.ember.data.Example;
import dev.ember.data.Subset;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Train / validation / test splits by ratios, random (seeded) or stratified by class label.
 * Part sizes are the ratios times the count, rounded at the cumulative boundaries, so they sum
 * to the count exactly; ratios must be positive and sum to 1, and no part may end up empty.
 * A stratified split has the same part sizes, and each class has its share of each part rounded
 * down or up (within one example of {@code classCount * ratio}; see {@link StratifiedAllocation}).
 */
public final class Splits {
    private Splits() {}

    /** The default ratios: 80% training, 10% validation, 10% test. */
    public static final double[] DEFAULT_RATIOS = {0.8, 0.1, 0.1};

    /** A seeded random 80/10/10 split. */
    public static DatasetSplit<Example> trainValTest(Dataset<Example> dataset, long seed) {
        return trainValTest(dataset, DEFAULT_RATIOS[0], DEFAULT_RATIOS[1], DEFAULT_RATIOS[2], seed);
    }

    /** A seeded random split with the given ratios (summing to 1). */
    public static DatasetSplit<Example> trainValTest(Dataset<Example> dataset, double train, double val, double test, long seed) {
        int[][] parts = randomIndices(dataset.size(), new double[]{train, val, test}, seed);
        return new DatasetSplit<>(Subset.of(dataset, parts[0]), Subset.of(dataset, parts[1]), Subset.of(dataset, parts[2]));
    }

    /**
     * A seeded split that keeps each class's proportion in every part; {@code labels[i]} is the
     * class of example {@code i}.
     */
    public static DatasetSplit<Example> stratified(Dataset<Example> dataset, int[] labels, double train, double val, double test, long seed) {
        if (labels.length != dataset.size())
            throw new IllegalArgumentException("Splits.stratified: " + labels.length + " labels for " + dataset.size() + " examples");
        int[][] parts = stratifiedIndices(labels, new double[]{train, val, test}, seed);
        return new DatasetSplit<>(Subset.of(dataset, parts[0]), Subset.of(dataset, parts[1]), Subset.of(dataset, parts[2]));
    }

    /** {@link #stratified} 80/10/10 with labels read from a target tensor {@code [n]}. */
    public static DatasetSplit<Example> stratified(Dataset<Example> dataset, Tensor labels, long seed) {
        return stratified(dataset, Stratification.labels(labels), DEFAULT_RATIOS[0], DEFAULT_RATIOS[1], DEFAULT_RATIOS[2], seed);
    }

    /** Indices {@code 0..n-1} shuffled from {@code seed} and cut by {@code ratios}. */
    public static int[][] randomIndices(int n, double[] ratios, long seed) {
        checkRatios(ratios);
        int[] order = new Generator(seed).permutation(n);
        int[][] parts = cut(order, ratios);
        checkNonEmpty(parts, n, ratios);
        for (int[] part : parts) java.util.Arrays.sort(part);
        return parts;
    }

    /**
     * Per-class shuffled indices cut into parts of exactly the sizes of {@link #randomIndices}, each class
     * within one example of its share of every part; gathered into one sorted index array per part.
     */
    public static int[][] stratifiedIndices(int[] labels, double[] ratios, long seed) {
        checkRatios(ratios);
        int[][] byClass = Stratification.indicesByClass(labels, "Splits.stratified");
        Generator random = new Generator(seed);
        int[][] shuffled = new int[byClass.length][];
        int[] classCounts = new int[byClass.length];
        for (int c = 0; c < byClass.length; c++) {
            int[] members = byClass[c];
            int[] perm = random.permutation(members.length);
            shuffled[c] = new int[members.length];
            for (int i = 0; i < members.length; i++) shuffled[c][i] = members[perm[i]];
            classCounts[c] = members.length;
        }
        int[] sizes = partSizes(labels.length, ratios);
        int[][] counts = StratifiedAllocation.allocate(classCounts, sizes, ratios, random.permutation(byClass.length * ratios.length));
        int[][] parts = new int[ratios.length][];
        for (int p = 0; p < ratios.length; p++) parts[p] = new int[sizes[p]];
        int[] filled = new int[ratios.length];
        for (int c = 0; c < byClass.length; c++) {
            int at = 0;
            for (int p = 0; p < ratios.length; p++)
                for (int k = 0; k < counts[c][p]; k++) parts[p][filled[p]++] = shuffled[c][at++];
        }
        for (int[] part : parts) java.util.Arrays.sort(part);
        checkNonEmpty(parts, labels.length, ratios);
        return parts;
    }

    /**
     * The size of each part: {@code round(cumulative ratio * n)} (halves up) minus the previous boundary, the
     * last part ending at {@code n}. The ratios are summed as the decimals they print as, so that 0.7 + 0.15
     * of 10 is 8.5 and rounds to 9 whatever the binary sum's last bit.
     */
    static int[] partSizes(int n, double[] ratios) {
        int[] sizes = new int[ratios.length];
        BigDecimal cumulative = BigDecimal.ZERO;
        int start = 0;
        for (int p = 0; p < ratios.length; p++) {
            cumulative = cumulative.add(BigDecimal.valueOf(ratios[p]));
            int end = p == ratios.length - 1 ? n : cumulative.multiply(BigDecimal.valueOf(n)).setScale(0, RoundingMode.HALF_UP).intValue();
            end = Math.max(start, Math.min(n, end));
            sizes[p] = end - start;
            start = end;
        }
        return sizes;
    }

    private static int[][] cut(int[] order, double[] ratios) {
        int[] sizes = partSizes(order.length, ratios);
        int[][] parts = new int[ratios.length][];
        int start = 0;
        for (int p = 0; p < ratios.length; p++) {
            parts[p] = java.util.Arrays.copyOfRange(order, start, start + sizes[p]);
            start += sizes[p];
        }
        return parts;
    }

    private static void checkRatios(double[] ratios) {
        double sum = 0;
        for (double r : ratios) {
            if (!(r > 0)) throw new IllegalArgumentException("Splits: ratios must be positive, got " + java.util.Arrays.toString(ratios));
            sum += r;
        }
        if (Math.abs(sum - 1) > 1e-9) throw new IllegalArgumentException("Splits: ratios " + java.util.Arrays.toString(ratios) + " sum to " + sum + ", not 1");
    }

    private static void checkNonEmpty(int[][] parts, int n, double[] ratios) {
        String[] names = {"training", "validation", "test"};
        for (int p = 0; p < parts.length; p++)
            if (parts[p].length == 0)
                throw new IllegalArgumentException("Splits: the " + (p < names.length ? names[p] : "part " + p) + " part is empty (ratio "
                        + ratios[p] + " of " + n + " examples); use more data or a larger ratio");
    }
}
