package dev.ember.data.io;

import dev.ember.Tensor;
import dev.ember.data.TensorDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A CSV file read by {@link CsvReader}: named, typed columns of equal length, and the list of
 * missing values with their line numbers.
 */
public final class CsvTable {
    private final Path file;
    private final List<String> names;
    private final Map<String, ColumnType> types;
    private final Map<String, Object> columns;
    private final int rows;
    private final List<MissingValue> missing;

    CsvTable(Path file, List<String> names, Map<String, ColumnType> types, Map<String, Object> columns, int rows, List<MissingValue> missing) {
        this.file = file;
        this.names = names;
        this.types = types;
        this.columns = columns;
        this.rows = rows;
        this.missing = List.copyOf(missing);
    }

    /** The file this table was read from. */
    public Path file() { return file; }

    /** Column names in file order. */
    public List<String> columnNames() { return names; }

    /** Number of data rows (the header excluded). */
    public int rowCount() { return rows; }

    /** The type of column {@code name}. */
    public ColumnType type(String name) { check(name); return types.get(name); }

    /** Every missing value, in column order then line order. */
    public List<MissingValue> missingValues() { return missing; }

    /** Missing values of one column. */
    public List<MissingValue> missingValues(String column) {
        check(column);
        return missing.stream().filter(m -> m.column().equals(column)).toList();
    }

    /** The values of a number column (NaN where missing), a copy. */
    public double[] numbers(String name) {
        check(name);
        if (types.get(name) != ColumnType.NUMBER) throw new IllegalArgumentException("CsvTable: column '" + name + "' of " + file + " is STRING, not NUMBER");
        return ((double[]) columns.get(name)).clone();
    }

    /** The values of a string column ({@code null} where missing), a copy. */
    public String[] strings(String name) {
        check(name);
        if (types.get(name) != ColumnType.STRING) throw new IllegalArgumentException("CsvTable: column '" + name + "' of " + file + " is NUMBER, not STRING");
        return ((String[]) columns.get(name)).clone();
    }

    /**
     * Number columns as a float32 matrix {@code [rows, columns.length]}; missing values stay NaN
     * (impute them first, e.g. with {@code SimpleImputer}).
     */
    public Tensor toTensor(String... columnNames) {
        long size = (long) rows * columnNames.length;
        if (size > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("CsvTable: " + rows + " rows x " + columnNames.length + " columns of " + file
                    + " are " + size + " values, more than one tensor holds");
        float[] data = new float[(int) size];
        for (int c = 0; c < columnNames.length; c++) {
            double[] v = numbers(columnNames[c]);
            for (int r = 0; r < rows; r++) data[r * columnNames.length + c] = (float) v[r];
        }
        return Tensor.of(data, rows, columnNames.length);
    }

    /** The sorted distinct values of a string column, the class order {@link #toDataset} uses. */
    public List<String> classes(String column) {
        TreeSet<String> set = new TreeSet<>();
        for (String s : strings(column)) if (s != null) set.add(s);
        return new ArrayList<>(set);
    }

    /**
     * A dataset of features {@code [rows, features.length]} (float32) and class labels {@code [rows]}
     * (int64): a string target is numbered by {@link #classes}, a number target must hold integers.
     *
     * @throws IllegalArgumentException if any of these columns has a missing value, naming its line
     */
    public TensorDataset toDataset(String target, String... features) {
        for (String f : features) requireComplete(f);
        requireComplete(target);
        long[] labels = new long[rows];
        if (type(target) == ColumnType.STRING) {
            List<String> classes = classes(target);
            String[] v = strings(target);
            for (int r = 0; r < rows; r++) labels[r] = classes.indexOf(v[r]);
        } else {
            double[] v = numbers(target);
            for (int r = 0; r < rows; r++) {
                if (v[r] != Math.rint(v[r]))
                    throw new IllegalArgumentException("CsvTable: target '" + target + "' of " + file + " holds " + v[r] + " in data row " + (r + 1) + ", expected a class number");
                labels[r] = (long) v[r];
            }
        }
        return new TensorDataset(toTensor(features), Tensor.of(labels, rows));
    }

    private void requireComplete(String column) {
        List<MissingValue> m = missingValues(column);
        if (!m.isEmpty())
            throw new IllegalArgumentException("CsvTable: column '" + column + "' of " + file + " has " + m.size()
                    + " missing values, at lines " + m.stream().limit(10).map(MissingValue::line).toList() + (m.size() > 10 ? "..." : ""));
    }

    private void check(String name) {
        if (!types.containsKey(name)) throw new IllegalArgumentException("CsvTable: no column '" + name + "' in " + file + "; columns are " + names);
    }
}
