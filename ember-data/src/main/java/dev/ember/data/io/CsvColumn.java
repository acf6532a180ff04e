package dev.ember.data.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One CSV column as it is read: numbers go straight into a growing {@code double[]} and text
 * into a growing {@code String[]}, so the memory is that of the parsed values, not of the
 * file's text. An inferred column starts as NUMBER; at its first value that is not a number it
 * becomes STRING, and the text of the rows before it is read again in a second pass
 * ({@link #needsTextBefore()}).
 */
final class CsvColumn {
    /** Distinct values shared per column (categories repeat); past this many, new ones are not shared. */
    private static final int SHARED_VALUES = 4096;

    private final Path file;
    private final String name;
    private final int column;
    private final ColumnType declared;
    private final Set<String> missingMarkers;
    private double[] numbers = new double[16];
    private String[] strings;
    private int textFrom = -1; // rows below this still need their text (inferred STRING); -1: none
    private long[] missingLines = new long[4];
    private int missing;
    private Map<String, String> shared;

    CsvColumn(Path file, String name, int column, ColumnType declared, Set<String> missingMarkers) {
        this.file = file;
        this.name = name;
        this.column = column;
        this.declared = declared;
        this.missingMarkers = missingMarkers;
        if (declared == ColumnType.STRING) toText(0);
    }

    /** Adds the value of data row {@code row} (0-based), which starts on {@code line}. */
    void add(String v, int row, long line) {
        boolean isMissing = v.isBlank() || missingMarkers.contains(v.strip());
        if (isMissing) {
            if (missing == missingLines.length) missingLines = Arrays.copyOf(missingLines, missing * 2);
            missingLines[missing++] = line;
        }
        if (strings == null) {
            if (isMissing) {
                putNumber(row, Double.NaN);
                return;
            }
            String s = v.strip();
            if (CsvNumbers.isNumber(s)) {
                putNumber(row, CsvNumbers.parse(s));
                return;
            }
            if (declared == ColumnType.NUMBER)
                throw new DataFormatException(file, "line " + line + ", column " + (column + 1) + " ('" + name + "')",
                        "expected a number, found '" + v + "'");
            toText(row);
        }
        putText(row, isMissing ? null : v);
    }

    /** Fills in the text of a row below {@link #needsTextBefore()} during the second pass. */
    void backfill(String v, int row) {
        boolean isMissing = v.isBlank() || missingMarkers.contains(v.strip());
        strings[row] = isMissing ? null : share(v);
    }

    /** Rows {@code [0, this)} need their text from a second pass (0 when none do). */
    int needsTextBefore() { return Math.max(textFrom, 0); }

    ColumnType type() { return strings == null ? ColumnType.NUMBER : ColumnType.STRING; }

    /** The values, {@code double[rows]} or {@code String[rows]}. */
    Object values(int rows) { return strings == null ? Arrays.copyOf(numbers, rows) : Arrays.copyOf(strings, rows); }

    /** Appends this column's missing values, in line order. */
    void missingValues(List<MissingValue> out) {
        for (int i = 0; i < missing; i++) out.add(new MissingValue(name, missingLines[i]));
    }

    private void toText(int row) {
        strings = new String[Math.max(16, numbers.length)];
        numbers = null;
        textFrom = row;
        shared = new HashMap<>();
    }

    private void putNumber(int row, double d) {
        if (row == numbers.length) numbers = Arrays.copyOf(numbers, grow(row));
        numbers[row] = d;
    }

    private void putText(int row, String s) {
        if (row >= strings.length) strings = Arrays.copyOf(strings, grow(row));
        strings[row] = s == null ? null : share(s);
    }

    private String share(String s) {
        String known = shared.get(s);
        if (known != null) return known;
        if (shared.size() < SHARED_VALUES) shared.put(s, s);
        return s;
    }

    private static int grow(int size) { return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(16, size * 2L)); }
}
