package dev.ember.llm.data;

import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.BatchedDataset;
import dev.ember.data.Example;
import dev.ember.llm.chat.EncodedChat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Supervised fine-tuning rows of a fixed length {@code T}: each example's tokens as inputs and the next tokens as
 * targets, a target counted only where it is an assistant token ({@link EncodedChat#IGNORE_INDEX}, -100, elsewhere:
 * PyTorch's {@code ignore_index}), so the loss is the assistant's alone.
 *
 * <p>An example of {@code n} tokens takes {@code n - 1} positions (inputs {@code ids[0..n-2]}, targets
 * {@code labels[1..n-1]}); one longer than {@code T + 1} tokens is cut to its first {@code T + 1}, and one left
 * without an assistant target is dropped (both counted in {@link #stats()}).
 *
 * <p>With packing, short examples share rows: first-fit in order of decreasing length (LLaMA-Factory packs the same
 * way), each example numbered within its row as a segment 1, 2, ...; the model attends only within a segment, with
 * positions restarting at 0 in each ({@code dev.ember.llm.tune.CausalLm} builds the block-diagonal mask), so a
 * packed example is computed exactly as alone. Without packing, each example has its own row. The rest of a row is
 * padding: segment 0, target -100.
 *
 * <p>Example {@code i} is a row: input INT64 {@code [3, T]} (token ids, positions, segment ids), target INT64
 * {@code [T]}.
 */
public final class SftDataset implements BatchedDataset {
    private final int length;
    private final List<long[][]> rows; // {ids, positions, segments, targets}
    private final Stats stats;

    /** What building the rows did with the examples. */
    public record Stats(int examples, int dropped, int truncated, int rows, long targetTokens, long positions) {
        /** Fraction of row positions that hold an example's token. */
        public double fill(int length) { return rows == 0 ? 0 : (double) positions / ((long) rows * length); }
    }

    private SftDataset(int length, List<long[][]> rows, Stats stats) {
        this.length = length;
        this.rows = rows;
        this.stats = stats;
    }

    /** The rows of {@code examples} for a model of context {@code length}, packed or one example per row. */
    public static SftDataset of(List<EncodedChat> examples, int length, boolean packing) {
        if (length < 1) throw new IllegalArgumentException("SftDataset: the row length must be positive, got " + length);
        List<long[][]> pieces = new ArrayList<>(); // {ids, targets} of n - 1 positions
        int dropped = 0, truncated = 0;
        long targets = 0, positions = 0;
        for (EncodedChat e : examples) {
            int n = e.length();
            if (n > length + 1) {
                n = length + 1;
                truncated++;
            }
            if (n < 2) {
                dropped++;
                continue;
            }
            int[] ids = e.ids();
            long[] labels = e.labels();
            long[] in = new long[n - 1], tg = new long[n - 1];
            int counted = 0;
            for (int t = 0; t < n - 1; t++) {
                in[t] = ids[t];
                tg[t] = labels[t + 1];
                if (tg[t] != EncodedChat.IGNORE_INDEX) counted++;
            }
            if (counted == 0) {
                dropped++;
                continue;
            }
            targets += counted;
            positions += n - 1;
            pieces.add(new long[][]{in, tg});
        }
        List<long[][]> rows = new ArrayList<>();
        if (packing) {
            List<long[][]> order = new ArrayList<>(pieces);
            order.sort(Comparator.comparingInt((long[][] p) -> p[0].length).reversed()); // stable: ties keep data order
            List<Integer> free = new ArrayList<>();
            List<Integer> segs = new ArrayList<>();
            for (long[][] p : order) {
                int r = -1;
                for (int k = 0; k < rows.size() && r < 0; k++) if (free.get(k) >= p[0].length) r = k;
                if (r < 0) {
                    rows.add(emptyRow(length));
                    free.add(length);
                    segs.add(0);
                    r = rows.size() - 1;
                }
                int at = length - free.get(r);
                segs.set(r, segs.get(r) + 1);
                put(rows.get(r), p, at, segs.get(r));
                free.set(r, free.get(r) - p[0].length);
            }
        } else {
            for (long[][] p : pieces) {
                long[][] row = emptyRow(length);
                put(row, p, 0, 1);
                rows.add(row);
            }
        }
        return new SftDataset(length, rows, new Stats(examples.size(), dropped, truncated, rows.size(), targets, positions));
    }

    private static long[][] emptyRow(int length) {
        long[][] row = new long[4][length];
        java.util.Arrays.fill(row[3], EncodedChat.IGNORE_INDEX);
        return row;
    }

    private static void put(long[][] row, long[][] piece, int at, int segment) {
        for (int t = 0; t < piece[0].length; t++) {
            row[0][at + t] = piece[0][t];
            row[1][at + t] = t;
            row[2][at + t] = segment;
            row[3][at + t] = piece[1][t];
        }
    }

    /** What building the rows did. */
    public Stats stats() { return stats; }

    /** The row length {@code T}. */
    public int length() { return length; }

    @Override
    public int size() { return rows.size(); }

    @Override
    public Example get(int index) {
        Batch b = getBatch(new int[]{index});
        return new Example(b.inputs().select(0, 0), b.targets().select(0, 0));
    }

    @Override
    public Batch getBatch(int[] indices) {
        long[] x = new long[indices.length * 3 * length], y = new long[indices.length * length];
        for (int r = 0; r < indices.length; r++) {
            if (indices[r] < 0 || indices[r] >= rows.size())
                throw new IndexOutOfBoundsException("SftDataset: index " + indices[r] + " out of range for size " + rows.size());
            long[][] row = rows.get(indices[r]);
            for (int c = 0; c < 3; c++) System.arraycopy(row[c], 0, x, (r * 3 + c) * length, length);
            System.arraycopy(row[3], 0, y, r * length, length);
        }
        return new Batch(Tensor.of(x, indices.length, 3, length), Tensor.of(y, indices.length, length));
    }
}
