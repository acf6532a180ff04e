package dev.ember.metrics;

/**
 * How per-class precision, recall and F-scores are combined, as scikit-learn's {@code average}.
 * <ul>
 *   <li>{@link #BINARY}: only the positive class (label 1); the data must hold at most labels 0 and 1.</li>
 *   <li>{@link #MICRO}: global counts of true positives, false positives and false negatives
 *       (for single-label multi-class data this equals accuracy).</li>
 *   <li>{@link #MACRO}: unweighted mean over classes.</li>
 *   <li>{@link #WEIGHTED}: mean over classes weighted by support (true count).</li>
 * </ul>
 */
public enum Average { BINARY, MICRO, MACRO, WEIGHTED }
