package dev.ember.data.text;

import dev.ember.Tensor;

/**
 * Sequences padded to one length.
 *
 * @param ids           token ids {@code [batch, length]} (int64)
 * @param attentionMask 1 at real tokens, 0 at padding {@code [batch, length]} (int64)
 * @param lengths       each sequence's real length after truncation
 */
public record PaddedBatch(Tensor ids, Tensor attentionMask, int[] lengths) {}
