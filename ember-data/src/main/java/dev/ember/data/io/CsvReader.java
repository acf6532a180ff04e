package dev.ember.data.io;

import java.io.IOException;
import java.nio.file.Files;
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
 */
public final class CsvReader {
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

    /** Reads {@code file}. */
    public CsvTable read(Path file) {
        String text = decode(file);
        List<String[]> rows = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        parse(file, text, rows, lines);
        if (rows.isEmpty()) throw new DataFormatException(file, "line 1", "expected a header line, found an empty file");
        String[] header = rows.get(0);
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < header.length; c++) {
            String name = header[c].strip();
            if (name.isEmpty()) throw new DataFormatException(file, "line 1, column " + (c + 1), "expected a column name, found an empty header field");
            if (index.put(name, c) != null) throw new DataFormatException(file, "line 1, column " + (c + 1), "duplicate column name '" + name + "'");
            header[c] = name;
        }
        for (String name : declared.keySet())
            if (!index.containsKey(name)) throw new DataFormatException(file, "line 1", "expected a column named '" + name + "' (declared " + declared.get(name) + "), header has " + List.of(header));
        int n = rows.size() - 1;
        Map<String, Object> columns = new LinkedHashMap<>();
        Map<String, ColumnType> types = new LinkedHashMap<>();
        List<MissingValue> missing = new ArrayList<>();
        for (int c = 0; c < header.length; c++) {
            String name = header[c];
            String[] raw = new String[n];
            for (int r = 0; r < n; r++) {
                String v = rows.get(r + 1)[c];
                raw[r] = isMissing(v) ? null : v;
                if (raw[r] == null) missing.add(new MissingValue(name, lines.get(r + 1)));
            }
            ColumnType type = declared.getOrDefault(name, inferType(raw));
            types.put(name, type);
            if (type == ColumnType.STRING) {
                columns.put(name, raw);
            } else {
                double[] values = new double[n];
                for (int r = 0; r < n; r++) {
                    if (raw[r] == null) { values[r] = Double.NaN; continue; }
                    Double d = parseNumber(raw[r]);
                    if (d == null)
                        throw new DataFormatException(file, "line " + lines.get(r + 1) + ", column " + (c + 1) + " ('" + name + "')",
                                "expected a number, found '" + raw[r] + "'");
                    values[r] = d;
                }
                columns.put(name, values);
            }
        }
        return new CsvTable(file, List.of(header), types, columns, n, missing);
    }

    private boolean isMissing(String v) { return v.isBlank() || missingMarkers.contains(v.strip()); }

    private static ColumnType inferType(String[] raw) {
        for (String v : raw) if (v != null && parseNumber(v) == null) return ColumnType.STRING;
        return ColumnType.NUMBER;
    }

    private static Double parseNumber(String v) {
        String s = v.strip();
        // Double.parseDouble accepts "1d", "0x1p3", "Infinity"; a CSV number is plain decimal
        if (!s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(inf|Inf|INF|Infinity)")) return null;
        if (s.toLowerCase().contains("inf")) return s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        return Double.parseDouble(s);
    }

    private static String decode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataFormatException(file, "open", "cannot read the file: " + e, e);
        }
        return Utf8.decode(file, bytes);
    }

    /** Splits text into records, remembering each record's first line number. */
    private void parse(Path file, String text, List<String[]> rows, List<Long> lineOfRow) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        long line = 1, recordLine = 1, quoteLine = 0;
        int expected = -1;
        boolean quoted = false, fieldWasQuoted = false, atRecordStart = true;
        int i = 0, len = text.length();
        if (len > 0 && text.charAt(0) == '\uFEFF') i = 1; // byte-order mark
        while (i <= len) {
            char ch = i < len ? text.charAt(i) : '\n';
            boolean end = i == len;
            if (quoted) {
                if (end) throw new DataFormatException(file, "line " + quoteLine, "expected a closing quote for the field opened here, found the end of the file");
                if (ch == '"') {
                    if (i + 1 < len && text.charAt(i + 1) == '"') { field.append('"'); i += 2; continue; }
                    quoted = false;
                    i++;
                    char next = i < len ? text.charAt(i) : '\n';
                    if (next != delimiter && next != '\n' && next != '\r')
                        throw new DataFormatException(file, "line " + line + ", column " + (fields.size() + 1),
                                "expected a delimiter or line end after a closing quote, found '" + next + "'");
                    continue;
                }
                if (ch == '\n') line++;
                field.append(ch);
                i++;
                continue;
            }
            if (ch == '"' && field.isEmpty() && !fieldWasQuoted) {
                quoted = true;
                fieldWasQuoted = true;
                quoteLine = line;
                atRecordStart = false;
                i++;
                continue;
            }
            if (ch == delimiter) {
                fields.add(field.toString());
                field.setLength(0);
                fieldWasQuoted = false;
                atRecordStart = false;
                i++;
                continue;
            }
            if (ch == '\r' && i + 1 < len && text.charAt(i + 1) == '\n') { i++; continue; }
            if (ch == '\n' || ch == '\r') {
                boolean blank = atRecordStart && field.isEmpty() && fields.isEmpty();
                if (!blank) {
                    fields.add(field.toString());
                    String[] record = fields.toArray(new String[0]);
                    if (expected < 0) expected = record.length;
                    else if (record.length != expected)
                        throw new DataFormatException(file, "line " + recordLine,
                                "expected " + expected + " fields (as in the header), found " + record.length);
                    rows.add(record);
                    lineOfRow.add(recordLine);
                }
                fields.clear();
                field.setLength(0);
                fieldWasQuoted = false;
                atRecordStart = true;
                line++;
                recordLine = line;
                i++;
                continue;
            }
            field.append(ch);
            atRecordStart = false;
            i++;
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
