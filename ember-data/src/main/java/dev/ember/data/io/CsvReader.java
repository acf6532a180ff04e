package dev.ember.data.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a CSV file with a header line into a typed {@link CsvTable} (RFC 4180: quoted fields
 * may hold the delimiter, doubled quotes and line breaks). A column is {@link ColumnType#NUMBER}
 * when declared so, or when every present value parses as a number; else {@link ColumnType#STRING}.
 * Empty fields and the configured missing markers ({@code "", "NA", "NaN", "?"} by default) are
 * missing values, reported with their line numbers.
 *
 * <p>The whole file is checked before anything is returned: a wrong field count, an unterminated
 * quote, invalid UTF-8 or a non-number in a number column throws a {@link DataFormatException}
 * naming the file, line and column.
 *
 * <p>Memory: the file is streamed, so reading holds the parsed columns plus one record and
 * 64 KiB buffers; the text is never held whole. Text values that repeat within a column (up to
 * 4,096 distinct ones) share one {@code String}. At most {@link #MAX_ROWS} data rows.
 */
public final class CsvReader {
    /** The most data rows a table holds (its columns are Java arrays). */
    public static final int MAX_ROWS = Integer.MAX_VALUE - 8;

    private final char delimiter;
    private final Set<String> missingMarkers;
    private final Map<String, ColumnType> declared;

    private CsvReader(Builder b) {
        this.delimiter = b.delimiter;
        this.missingMarkers = Set.copyOf(b.missing);
        this.declared = Map.copyOf(b.types);
    }

    /** A reader with default options (comma, inferred types). */
    public static CsvReader defaults() { return builder().build(); }

    /** Options for a reader. */
    public static Builder builder() { return new Builder(); }

    /**
     * Reads {@code file}, streaming: the text is decoded and split 64 KiB at a time and each value
     * goes straight into its column, so memory follows the parsed table (a {@code double} per
     * number, a string per text value), not the size of the text. A column inferred as NUMBER
     * that meets text after its first rows is completed by a second pass over those rows.
     *
     * @throws DataFormatException if the file is not a well-formed CSV of this reader's options
     *     (position "open" if it cannot be read at all), naming the file, line and column
     */
    public CsvTable read(Path file) {
        try (Utf8Source source = Utf8Source.open(file)) {
            CsvRecords records = new CsvRecords(file, source, delimiter);
            List<String> fields = new ArrayList<>();
            if (records.next(fields) < 0) throw new DataFormatException(file, "line 1", "expected a header line, found an empty file");
            String[] header = header(file, fields);
            CsvColumn[] columns = new CsvColumn[header.length];
            for (int c = 0; c < header.length; c++)
                columns[c] = new CsvColumn(file, header[c], c, declared.get(header[c]), missingMarkers);
            int rows = 0;
            for (long line; (line = records.next(fields)) >= 0; rows++) {
                checkFieldCount(file, line, fields.size(), header.length);
                if (rows == MAX_ROWS) throw new DataFormatException(file, "line " + line, "expected at most " + MAX_ROWS + " data rows");
                for (int c = 0; c < columns.length; c++) columns[c].add(fields.get(c), rows, line);
            }
            backfill(file, columns);
            Map<String, Object> values = new LinkedHashMap<>();
            Map<String, ColumnType> types = new LinkedHashMap<>();
            List<MissingValue> missing = new ArrayList<>();
            for (int c = 0; c < columns.length; c++) {
                values.put(header[c], columns[c].values(rows));
                types.put(header[c], columns[c].type());
                columns[c].missingValues(missing);
            }
            return new CsvTable(file, List.of(header), types, values, rows, missing);
        } catch (IOException e) {
            throw new DataFormatException(file, "open", "cannot read the file: " + e, e);
        }
    }

    private String[] header(Path file, List<String> fields) {
        String[] header = fields.toArray(new String[0]);
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < header.length; c++) {
            String name = header[c].strip();
            if (name.isEmpty()) throw new DataFormatException(file, "line 1, column " + (c + 1), "expected a column name, found an empty header field");
            if (index.put(name, c) != null) throw new DataFormatException(file, "line 1, column " + (c + 1), "duplicate column name '" + name + "'");
            header[c] = name;
        }
        for (String name : declared.keySet())
            if (!index.containsKey(name)) throw new DataFormatException(file, "line 1", "expected a column named '" + name + "' (declared " + declared.get(name) + "), header has " + List.of(header));
        return header;
    }

    private static void checkFieldCount(Path file, long line, int found, int expected) {
        if (found != expected)
            throw new DataFormatException(file, "line " + line, "expected " + expected + " fields (as in the header), found " + found);
    }

    /** The second pass: the text of the first rows of columns that turned out to be STRING. */
    private void backfill(Path file, CsvColumn[] columns) throws IOException {
        int upTo = 0;
        for (CsvColumn c : columns) upTo = Math.max(upTo, c.needsTextBefore());
        if (upTo == 0) return;
        try (Utf8Source source = Utf8Source.open(file)) {
            CsvRecords records = new CsvRecords(file, source, delimiter);
            List<String> fields = new ArrayList<>();
            records.next(fields); // the header
            for (int row = 0; row < upTo; row++) {
                long line = records.next(fields);
                if (line < 0 || fields.size() != columns.length)
                    throw new DataFormatException(file, "line " + line, "the file changed while it was being read");
                for (int c = 0; c < columns.length; c++)
                    if (row < columns[c].needsTextBefore()) columns[c].backfill(fields.get(c), row);
            }
        }
    }

    /** Options of a {@link CsvReader}. */
    public static final class Builder {
        private char delimiter = ',';
        private List<String> missing = List.of("", "NA", "NaN", "?");
        private final Map<String, ColumnType> types = new HashMap<>();

        private Builder() {}

        /** The field delimiter (default ','). */
        public Builder delimiter(char delimiter) {
            if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') throw new IllegalArgumentException("CsvReader: invalid delimiter " + delimiter);
            this.delimiter = delimiter;
            return this;
        }

        /** The markers read as a missing value (besides blank fields). */
        public Builder missing(String... markers) { this.missing = List.of(markers); return this; }

        /** Declares a column's type instead of inferring it; the column must exist. */
        public Builder type(String column, ColumnType type) { types.put(column, type); return this; }

        /** The reader. */
        public CsvReader build() { return new CsvReader(this); }
    }
}
