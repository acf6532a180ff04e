package dev.ember.data.features;

/** What {@link OneHotEncoder#transform} does with a category not seen in training. */
public enum UnknownCategory {
    /** Throw, naming the column, row and value (scikit-learn's {@code handle_unknown="error"}). */
    ERROR,
    /** Encode as all zeros in that column's block (scikit-learn's {@code handle_unknown="ignore"}). */
    IGNORE
}
