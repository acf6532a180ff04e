package dev.ember.data.features;

/** What {@link SimpleImputer} fills a missing value with. */
public enum ImputeStrategy {
    /** The column's mean over present values. */
    MEAN,
    /** The column's median over present values. */
    MEDIAN,
    /** The column's most frequent present value (the smallest on ties, as scikit-learn). */
    MOST_FREQUENT
}
