package dev.ember.llm.data;

import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.BatchedDataset;
import dev.ember.data.Example;
import dev.ember.data.text.TokenEncoder;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.chat.EncodedChat;
import java.util.ArrayList;
import java.util.List;

/**
 * Preference pairs as DPO rows: example {@code i} holds the chosen and the rejected conversation, each as
 * {@link SftDataset} lays out a row (ids, positions, segment; targets shifted, -100 outside the answer). Input INT64
 * {@code [2, 3, T]}, target INT64 {@code [2, T]} (index 0 chosen, 1 rejected). Pairs whose answer does not fit in
 * {@code T} are dropped.
 */
public final class DpoDataset implements BatchedDataset {
    private final int length;
    private final List<long[][][]> rows = new ArrayList<>(); // [2][4][T]
    private final int dropped;

    private DpoDataset(List<PreferencePair> pairs, ChatTemplate template, TokenEncoder tokenizer, int length) {
        this.length = length;
        int drop = 0;
        for (PreferencePair p : pairs) {
            EncodedChat c = template.encode(p.with(p.chosen()), tokenizer), r = template.encode(p.with(p.rejected()), tokenizer);
            if (c.length() > length + 1 || r.length() > length + 1) {
                drop++;
                continue;
            }
            rows.add(new long[][][]{row(c), row(r)});
        }
        this.dropped = drop;
    }

    /** The rows of {@code pairs} rendered with {@code template}, {@code length} positions each. */
    public static DpoDataset of(List<PreferencePair> pairs, ChatTemplate template, TokenEncoder tokenizer, int length) {
        return new DpoDataset(pairs, template, tokenizer, length);
    }

    private long[][] row(EncodedChat e) {
        SftDataset one = SftDataset.of(List.of(e), length, false);
        Batch b = one.getBatch(new int[]{0});
        long[] x = b.inputs().toLongArray(), y = b.targets().toLongArray();
        long[][] out = new long[4][length];
        for (int c = 0; c < 3; c++) System.arraycopy(x, c * length, out[c], 0, length);
        out[3] = y;
        return out;
    }

    /** Pairs left out because a conversation does not fit. */
    public int dropped() { return dropped; }

    @Override
    public int size() { return rows.size(); }

    @Override
    public Example get(int index) {
        Batch b = getBatch(new int[]{index});
        return new Example(b.inputs().select(0, 0), b.targets().select(0, 0));
    }

    @Override
    public Batch getBatch(int[] indices) {
        long[] x = new long[indices.length * 2 * 3 * length], y = new long[indices.length * 2 * length];
        for (int r = 0; r < indices.length; r++) {
            long[][][] pair = rows.get(indices[r]);
            for (int k = 0; k < 2; k++) {
                for (int c = 0; c < 3; c++) System.arraycopy(pair[k][c], 0, x, ((r * 2 + k) * 3 + c) * length, length);
                System.arraycopy(pair[k][3], 0, y, (r * 2 + k) * length, length);
            }
        }
        return new Batch(Tensor.of(x, indices.length, 2, 3, length), Tensor.of(y, indices.length, 2, length));
    }
}
