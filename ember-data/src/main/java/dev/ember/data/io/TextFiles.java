package dev.ember.data.io;

import dev.ember.data.IterableDataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Plain UTF-8 text files: the whole text, its lines, or records split by a separator line (as
 * the {@code fortune} files' {@code %} lines). Invalid UTF-8 is an error that names the file and
 * byte position.
 */
public final class TextFiles {
    private TextFiles() {}

    /** The whole file as a string; files of 2 GiB and more are refused (read them with {@link #lines}). */
    public static String read(Path file) {
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8)
                throw new DataFormatException(file, "open", "the file is " + size + " bytes, too large for one string; read it with TextFiles.lines");
            return Utf8.decode(file, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new DataFormatException(file, "open", "cannot read the file: " + e, e);
        }
    }

    /** The file's lines, without line terminators. */
    public static List<String> readLines(Path file) { return read(file).lines().toList(); }

    /**
     * Records separated by lines equal to {@code separator} (e.g. {@code "%"}); each record's lines
     * are joined with '\n' and blank records are dropped.
     */
    public static List<String> readRecords(Path file, String separator) {
        List<String> records = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : readLines(file)) {
            if (line.equals(separator)) {
                if (!current.toString().isBlank()) records.add(current.toString());
                current.setLength(0);
            } else {
                if (!current.isEmpty()) current.append('\n');
                current.append(line);
            }
        }
        if (!current.toString().isBlank()) records.add(current.toString());
        return records;
    }

    /**
     * The lines of a file as a stream-style dataset, read lazily on each pass (for files larger than
     * memory). A decoding error names the file and line.
     */
    public static IterableDataset<String> lines(Path file) {
        return () -> {
            BufferedReader reader;
            try {
                reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)));
            } catch (IOException e) {
                throw new DataFormatException(file, "open", "cannot read the file: " + e, e);
            }
            return new Iterator<>() {
                String next;
                long line;
                boolean done;

                private void advance() {
                    if (next != null || done) return;
                    try {
                        next = reader.readLine();
                        if (next == null) { done = true; reader.close(); } else line++;
                    } catch (CharacterCodingException e) {
                        done = true;
                        throw new DataFormatException(file, "line " + (line + 1), "expected UTF-8 text, found an invalid byte sequence", e);
                    } catch (IOException e) {
                        done = true;
                        throw new UncheckedIOException(file + ": line " + (line + 1) + ": " + e.getMessage(), e);
                    }
                }

                @Override
                public boolean hasNext() { advance(); return next != null; }

                @Override
                public String next() {
                    advance();
                    if (next == null) throw new NoSuchElementException();
                    String s = next;
                    next = null;
                    return s;
                }
            };
        };
    }
}
