package dev.ember.data.features;

import java.util.Arrays;

/** The feature scores behind {@link SelectKBest}: chi², ANOVA F and mutual information. */
public final class ScoreFunctions {
    private ScoreFunctions() {}

    /** Scores every column of {@code x [n][f]} against labels {@code y[n]} (class indices >= 0). */
    public static FeatureScores score(FeatureScore kind, double[][] x, int[] y) {
        if (x.length != y.length) throw new IllegalArgumentException(kind + ": " + x.length + " rows for " + y.length + " labels");
        if (x.length == 0) throw new IllegalArgumentException(kind + ": no examples");
        return switch (kind) {
            case CHI2 -> chi2(x, y);
            case F_CLASSIF -> fClassif(x, y);
            case MUTUAL_INFO -> new FeatureScores(mutualInfo(x, y), null);
        };
    }

    private static int[] classesOf(int[] y) {
        int max = Arrays.stream(y).max().orElse(-1);
        if (Arrays.stream(y).anyMatch(v -> v < 0)) throw new IllegalArgumentException("feature scores: labels must be class indices >= 0");
        int[] counts = new int[max + 1];
        for (int v : y) counts[v]++;
        return counts;
    }

    /** scikit-learn's chi2: observed class-wise feature sums against those expected from class frequencies. */
    static FeatureScores chi2(double[][] x, int[] y) {
        int n = x.length, f = x[0].length;
        int[] counts = classesOf(y);
        double[] scores = new double[f], p = new double[f];
        int present = 0;
        for (int c : counts) if (c > 0) present++;
        for (int j = 0; j < f; j++) {
            double total = 0;
            double[] observed = new double[counts.length];
            for (int i = 0; i < n; i++) {
                if (x[i][j] < 0) throw new IllegalArgumentException("chi2: feature " + j + " has a negative value " + x[i][j] + " in row " + i);
                observed[y[i]] += x[i][j];
                total += x[i][j];
            }
            double s = 0;
            for (int c = 0; c < counts.length; c++) {
                if (counts[c] == 0) continue;
                double expected = (double) counts[c] / n * total;
                s += (observed[c] - expected) * (observed[c] - expected) / expected;
            }
            scores[j] = s;
            p[j] = SpecialFunctions.chi2Survival(s, present - 1);
        }
        return new FeatureScores(scores, p);
    }

    /** scikit-learn's f_classif: between-class over within-class mean squares. */
    static FeatureScores fClassif(double[][] x, int[] y) {
        int n = x.length, f = x[0].length;
        int[] counts = classesOf(y);
        int k = 0;
        for (int c : counts) if (c > 0) k++;
        double dfBetween = k - 1, dfWithin = n - k;
        double[] scores = new double[f], p = new double[f];
        for (int j = 0; j < f; j++) {
            double[] sum = new double[counts.length];
            double total = 0, grand = 0, squares = 0;
            for (int i = 0; i < n; i++) {
                double v = x[i][j];
                sum[y[i]] += v;
                grand += v;
                squares += v * v;
            }
            total = squares - grand * grand / n;
            double between = -grand * grand / n;
            for (int c = 0; c < counts.length; c++) if (counts[c] > 0) between += sum[c] * sum[c] / counts[c];
            double within = total - between;
            scores[j] = (between / dfBetween) / (within / dfWithin);
            p[j] = SpecialFunctions.fSurvival(scores[j], dfBetween, dfWithin);
        }
        return new FeatureScores(scores, p);
    }

    /** kNN (k = 3) mutual information of each continuous column with the class; columns scaled by their std first. */
    static double[] mutualInfo(double[][] x, int[] y) {
        int n = x.length, f = x[0].length, neighbours = 3;
        int[] counts = classesOf(y);
        double[] out = new double[f];
        for (int j = 0; j < f; j++) {
            double[] col = new double[n];
            double mean = 0, var = 0;
            for (int i = 0; i < n; i++) mean += x[i][j];
            mean /= n;
            for (int i = 0; i < n; i++) var += (x[i][j] - mean) * (x[i][j] - mean);
            double std = Math.sqrt(var / n);
            for (int i = 0; i < n; i++) col[i] = x[i][j] / (std == 0 ? 1 : std);
            out[j] = mutualInfoColumn(col, y, counts, neighbours);
        }
        return out;
    }

    private static double mutualInfoColumn(double[] c, int[] y, int[] counts, int neighbours) {
        int n = c.length;
        double[] radius = new double[n];
        int[] kOf = new int[n];
        for (int cls = 0; cls < counts.length; cls++) {
            if (counts[cls] <= 1) continue;
            int k = Math.min(neighbours, counts[cls] - 1);
            double[] members = new double[counts[cls]];
            int m = 0;
            for (int i = 0; i < n; i++) if (y[i] == cls) members[m++] = c[i];
            Arrays.sort(members);
            for (int i = 0; i < n; i++) {
                if (y[i] != cls) continue;
                radius[i] = Math.nextDown(kthNeighbourDistance(members, c[i], k));
                kOf[i] = k;
            }
        }
        double[] sorted = new double[n];
        int used = 0;
        for (int i = 0; i < n; i++) if (counts[y[i]] > 1) sorted[used++] = c[i];
        sorted = Arrays.copyOf(sorted, used);
        Arrays.sort(sorted);
        double sumK = 0, sumLabel = 0, sumM = 0;
        for (int i = 0; i < n; i++) {
            if (counts[y[i]] <= 1) continue;
            int within = countWithin(sorted, c[i], radius[i]);
            sumK += SpecialFunctions.digamma(kOf[i]);
            sumLabel += SpecialFunctions.digamma(counts[y[i]]);
            sumM += SpecialFunctions.digamma(within);
        }
        double mi = SpecialFunctions.digamma(used) + (sumK - sumLabel - sumM) / used;
        return Math.max(0, mi);
    }

    /** Distance from {@code v} (one of the sorted members) to its k-th nearest other member. */
    private static double kthNeighbourDistance(double[] sorted, double v, int k) {
        int self = Arrays.binarySearch(sorted, v);
        int left = self - 1, right = self + 1;
        double d = 0;
        for (int taken = 0; taken < k; taken++) {
            double dl = left >= 0 ? v - sorted[left] : Double.POSITIVE_INFINITY;
            double dr = right < sorted.length ? sorted[right] - v : Double.POSITIVE_INFINITY;
            if (dl <= dr) { d = dl; left--; } else { d = dr; right++; }
        }
        return d;
    }

    /**
     * Number of sorted values with {@code |value - center| <= radius}. The bounds
     * {@code center -/+ radius} are rounded, so the binary-search range is corrected by comparing
     * distances, as the KD-tree scikit-learn uses does.
     */
    private static int countWithin(double[] sorted, double center, double radius) {
        int a = lowerBound(sorted, center - radius), b = lowerBound(sorted, Math.nextUp(center + radius));
        while (a > 0 && Math.abs(sorted[a - 1] - center) <= radius) a--;
        while (a < sorted.length && Math.abs(sorted[a] - center) > radius) a++;
        while (b < sorted.length && Math.abs(sorted[b] - center) <= radius) b++;
        while (b > a && Math.abs(sorted[b - 1] - center) > radius) b--;
        return b - a;
    }

    private static int lowerBound(double[] a, double v) {
        int lo = 0, hi = a.length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (a[mid] < v) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
