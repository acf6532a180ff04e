package dev.ember.data.split;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * How many examples of each class go to each part of a stratified split. The part sizes are given
 * (the ratios rounded at the cumulative boundaries), and each class gets its share
 * {@code count * ratio} rounded down or up, so every class is within one example of its proportion
 * in every part while the parts come out at exactly their sizes. Rounding each class on its own, as
 * a naive split does, lets the errors add up: 80/10/10 of 1,003 examples in 7 classes gave 802/102/99
 * instead of 802/101/100.
 *
 * <p>It is a rounding of the matrix of shares that keeps its row sums (class counts) and its column
 * sums (part sizes): start from the shares rounded down, then choose which fractional cells round up,
 * a bipartite flow of unit capacities from classes to parts. Cells with the largest fractions are
 * taken first (ties in a seeded random order, as scikit-learn's {@code _approximate_mode} breaks
 * them); augmenting paths then complete what the greedy pass left. Such a rounding always exists for
 * two or three parts; for more parts a case without one is possible in principle, and then a class
 * may miss its share by one more example while the part sizes stay exact.
 */
final class StratifiedAllocation {
    private StratifiedAllocation() {}

    /**
     * {@code result[c][p]}: examples of class {@code c} in part {@code p}; rows sum to {@code classCounts},
     * columns to {@code partSizes} (which must sum to the total). {@code tieOrder} is a permutation of
     * {@code 0 .. classes * parts - 1} that orders cells with equal fractions.
     */
    static int[][] allocate(int[] classCounts, int[] partSizes, double[] ratios, int[] tieOrder) {
        int classes = classCounts.length, parts = partSizes.length;
        int[][] count = new int[classes][parts];
        double[][] frac = new double[classes][parts];
        int[] rowNeed = new int[classes], colNeed = partSizes.clone();
        for (int c = 0; c < classes; c++) {
            rowNeed[c] = classCounts[c];
            for (int p = 0; p < parts; p++) {
                double share = classCounts[c] * ratios[p];
                double nearest = Math.rint(share);
                if (Math.abs(share - nearest) <= 1e-9 * Math.max(1, share)) share = nearest; // 10 * 0.1 is 1, not 1 +- an ulp
                count[c][p] = (int) Math.floor(share);
                frac[c][p] = share - count[c][p];
                rowNeed[c] -= count[c][p];
                colNeed[p] -= count[c][p];
            }
        }
        // Only with ratios whose sum is off by rounding can a column's floors exceed its size: give examples back.
        for (int p = 0; p < parts; p++)
            for (int c = 0; c < classes && colNeed[p] < 0; c++)
                while (colNeed[p] < 0 && count[c][p] > 0) {
                    count[c][p]--;
                    frac[c][p] += 1;
                    colNeed[p]++;
                    rowNeed[c]++;
                }
        boolean[][] up = new boolean[classes][parts];
        greedy(frac, rowNeed, colNeed, up, tieOrder);
        complete(frac, rowNeed, colNeed, up, false);
        if (Arrays.stream(rowNeed).anyMatch(r -> r > 0)) complete(frac, rowNeed, colNeed, up, true);
        if (Arrays.stream(rowNeed).anyMatch(r -> r > 0))
            throw new IllegalStateException("Splits.stratified: no allocation of " + Arrays.toString(classCounts) + " to parts of "
                    + Arrays.toString(partSizes) + " (please report this)");
        for (int c = 0; c < classes; c++) for (int p = 0; p < parts; p++) if (up[c][p]) count[c][p]++;
        return count;
    }

    /** Rounds up the cells with the largest fractions while their class and part still need examples. */
    private static void greedy(double[][] frac, int[] rowNeed, int[] colNeed, boolean[][] up, int[] tieOrder) {
        int parts = colNeed.length;
        Integer[] cells = new Integer[frac.length * parts];
        int[] rank = new int[cells.length];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = i;
            rank[tieOrder[i]] = i;
        }
        Arrays.sort(cells, (a, b) -> {
            int byFraction = Double.compare(frac[b / parts][b % parts], frac[a / parts][a % parts]);
            return byFraction != 0 ? byFraction : Integer.compare(rank[a], rank[b]);
        });
        for (int cell : cells) {
            int c = cell / parts, p = cell % parts;
            if (frac[c][p] > 0 && rowNeed[c] > 0 && colNeed[p] > 0) {
                up[c][p] = true;
                rowNeed[c]--;
                colNeed[p]--;
            }
        }
    }

    /**
     * Augmenting paths: from a class that still needs a part, through a cell it may round up, to a part
     * that still has room, or on through a class already rounded up in that part, which moves elsewhere.
     * With {@code anyCell} every cell may round up (the fallback described in the class comment).
     */
    private static void complete(double[][] frac, int[] rowNeed, int[] colNeed, boolean[][] up, boolean anyCell) {
        int classes = rowNeed.length, parts = colNeed.length;
        for (int start = 0; start < classes; start++) {
            while (rowNeed[start] > 0) {
                // breadth-first over classes; via[p] = the class that reached part p, from[c] = the part that reached class c
                int[] via = new int[parts], from = new int[classes];
                Arrays.fill(via, -1);
                Arrays.fill(from, -1);
                boolean[] seen = new boolean[classes];
                ArrayDeque<Integer> queue = new ArrayDeque<>();
                queue.add(start);
                seen[start] = true;
                int end = -1;
                while (!queue.isEmpty() && end < 0) {
                    int c = queue.poll();
                    for (int p = 0; p < parts && end < 0; p++) {
                        if (via[p] >= 0 || up[c][p] || !(anyCell || frac[c][p] > 0)) continue;
                        via[p] = c;
                        if (colNeed[p] > 0) {
                            end = p;
                            break;
                        }
                        for (int c2 = 0; c2 < classes; c2++)
                            if (!seen[c2] && up[c2][p]) {
                                seen[c2] = true;
                                from[c2] = p;
                                queue.add(c2);
                            }
                    }
                }
                if (end < 0) break; // no path from this class: the fallback (or the caller) deals with it
                colNeed[end]--;
                rowNeed[start]--;
                for (int p = end; ; ) {
                    int c = via[p];
                    up[c][p] = true;
                    if (c == start) break;
                    int previous = from[c];
                    up[c][previous] = false;
                    p = previous;
                }
            }
        }
    }
}
