package dev.ember.llm.chat;

/**
 * A conversation as token ids with, for each token, whether it belongs to an assistant turn (the text an assistant
 * message adds to the rendered conversation: its content and the template's end-of-turn text after it, such as
 * ChatML's {@code <|im_end|>}). Supervised fine-tuning computes its loss on those tokens only.
 *
 * @param ids       the token ids {@code [n]}
 * @param assistant {@code [n]}: true for the tokens of assistant turns
 */
public record EncodedChat(int[] ids, boolean[] assistant) {
    /** PyTorch's {@code ignore_index} default: a label that contributes nothing to the cross-entropy loss. */
    public static final int IGNORE_INDEX = -100;

    /** Checks the lengths agree; the arrays are copied. */
    public EncodedChat {
        if (ids.length != assistant.length)
            throw new IllegalArgumentException("EncodedChat: " + ids.length + " ids but " + assistant.length + " mask entries");
        ids = ids.clone();
        assistant = assistant.clone();
    }

    /** The ids (a copy). */
    @Override
    public int[] ids() { return ids.clone(); }

    /** The assistant mask (a copy). */
    @Override
    public boolean[] assistant() { return assistant.clone(); }

    /** Number of tokens. */
    public int length() { return ids.length; }

    /**
     * Labels for next-token training, aligned with the ids as in Hugging Face (the model shifts them): the id where
     * the token is an assistant token, {@link #IGNORE_INDEX} elsewhere.
     */
    public long[] labels() {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = assistant[i] ? ids[i] : IGNORE_INDEX;
        return out;
    }

    /** Number of assistant tokens. */
    public int assistantTokens() {
        int n = 0;
        for (boolean b : assistant) if (b) n++;
        return n;
    }
}
