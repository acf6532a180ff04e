package dev.ember.data.io;

/**
 * A missing value in a CSV file.
 *
 * @param column the column's name
 * @param line   the 1-based line number in the file (the header is line 1)
 */
public record MissingValue(String column, long line) {}
