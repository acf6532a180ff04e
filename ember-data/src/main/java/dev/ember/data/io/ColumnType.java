package dev.ember.data.io;

/** The type of a CSV column. */
public enum ColumnType {
    /** Floating-point numbers; a missing value reads as NaN. */
    NUMBER,
    /** Text; a missing value reads as {@code null}. */
    STRING
}
