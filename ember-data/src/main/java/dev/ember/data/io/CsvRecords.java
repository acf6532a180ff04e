package dev.ember.data.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Splits a character stream into CSV records (RFC 4180: quoted fields may hold the delimiter,
 * doubled quotes and line breaks; lines end with LF, CRLF or CR; blank lines are skipped), one
 * record at a time, so only the current record is in memory.
 */
final class CsvRecords {
    private final Path file;
    private final Utf8Source in;
    private final char delimiter;
    private final StringBuilder field = new StringBuilder();
    private long line = 1;

    CsvRecords(Path file, Utf8Source in, char delimiter) throws IOException {
        this.file = file;
        this.in = in;
        this.delimiter = delimiter;
        if (in.peek() == '\uFEFF') in.read(); // byte-order mark
    }

    /** Reads the next record's fields into {@code fields}; returns the line it starts on, or -1 at the end. */
    long next(List<String> fields) throws IOException {
        fields.clear();
        field.setLength(0);
        long recordLine = line;
        boolean atRecordStart = true, fieldWasQuoted = false;
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (atRecordStart && fields.isEmpty()) return -1;
                fields.add(field.toString()); // a last record without a line end
                return recordLine;
            }
            char ch = (char) c;
            if (ch == '"' && field.isEmpty() && !fieldWasQuoted) {
                readQuoted(fields.size() + 1);
                fieldWasQuoted = true;
                atRecordStart = false;
            } else if (ch == delimiter) {
                fields.add(field.toString());
                field.setLength(0);
                fieldWasQuoted = false;
                atRecordStart = false;
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && in.peek() == '\n') in.read();
                line++;
                if (atRecordStart && field.isEmpty() && fields.isEmpty()) {
                    recordLine = line; // a blank line
                    continue;
                }
                fields.add(field.toString());
                return recordLine;
            } else {
                field.append(ch);
                atRecordStart = false;
            }
        }
    }

    /** Appends a quoted field's text (after its opening quote) and checks what follows the closing quote. */
    private void readQuoted(int column) throws IOException {
        long quoteLine = line;
        while (true) {
            int c = in.read();
            if (c < 0)
                throw new DataFormatException(file, "line " + quoteLine,
                        "expected a closing quote for the field opened here, found the end of the file");
            if (c == '"') {
                if (in.peek() == '"') {
                    in.read();
                    field.append('"');
                    continue;
                }
                int next = in.peek();
                if (next != -1 && next != delimiter && next != '\n' && next != '\r')
                    throw new DataFormatException(file, "line " + line + ", column " + column,
                            "expected a delimiter or line end after a closing quote, found '" + (char) next + "'");
                return;
            }
            if (c == '\n') line++;
            field.append((char) c);
        }
    }
}
