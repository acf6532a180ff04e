package dev.ember.data.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A plain-text training corpus in fortune(6) format, split 90/10 into training and validation text.
 *
 * <p>Each file is read as UTF-8; a line holding only {@code %} ends a record and is dropped; the other lines of a
 * record are kept with their newlines. Record {@code i} (counted over all files in order) goes to validation when
 * {@code i % 10 == 9}, so both parts sample every file; with fewer than 10 records the last 10% of the characters
 * are validation instead. {@code benchmarks/torch_gpt.py} reads the corpus by the same rules.
 *
 * @param source where the text came from, for the user ("Debian fortunes, 43 files in /usr/share/games/fortunes")
 */
public record TextCorpus(String train, String validation, String source, List<Path> files, int records) {

    /** Where Debian's {@code fortunes} and {@code fortunes-min} packages put their text files. */
    public static final Path FORTUNES = Path.of("/usr/share/games/fortunes");

    private static final String EMBEDDED = "/dev/ember/data/text/fortunes-sample.txt";

    /**
     * Debian's fortunes: every plain file in {@link #FORTUNES} (not the {@code .dat} indexes, not the {@code .u8}
     * links, not subdirectories), sorted by name; the embedded sample when the packages are not installed.
     */
    public static TextCorpus fortunes() {
        List<Path> files = fortuneFiles(FORTUNES);
        if (files.isEmpty()) return embedded();
        TextCorpus c = load(files);
        return new TextCorpus(c.train, c.validation, "Debian fortunes, " + files.size() + " files in " + FORTUNES, files, c.records);
    }

    /** The plain fortune files in {@code dir}, sorted by name; empty when the directory does not exist. */
    public static List<Path> fortuneFiles(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return !n.endsWith(".dat") && !n.endsWith(".u8") && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("TextCorpus: cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The built-in sample: the fortunes-min package's {@code fortunes} file (BSD licence; see its NOTICE). */
    public static TextCorpus embedded() {
        try (InputStream in = TextCorpus.class.getResourceAsStream(EMBEDDED)) {
            if (in == null) throw new IllegalStateException("TextCorpus: the embedded sample " + EMBEDDED + " is missing from the jar");
            return of(List.of(utf8(in.readAllBytes(), EMBEDDED)), "embedded sample (the fortunes-min 'fortunes' file; install Debian's "
                    + "fortunes package for the full corpus)", List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("TextCorpus: cannot read the embedded sample: " + e.getMessage(), e);
        }
    }

    /** The given files, in the given order. */
    public static TextCorpus load(List<Path> files) {
        if (files.isEmpty()) throw new IllegalArgumentException("TextCorpus: no files given");
        List<String> texts = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) throw new IllegalArgumentException("--data: " + f + " is not a readable file");
            try {
                texts.add(utf8(Files.readAllBytes(f), f.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("--data: cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        return of(texts, files.size() + " file" + (files.size() == 1 ? "" : "s") + " (" + files.getFirst()
                + (files.size() > 1 ? ", ..." : "") + ")", files);
    }

    private static String utf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + ": not UTF-8 text", e);
        }
    }

    private static TextCorpus of(List<String> texts, String source, List<Path> files) {
        List<String> records = new ArrayList<>();
        for (String t : texts) records.addAll(records(t));
        StringBuilder train = new StringBuilder(), val = new StringBuilder();
        if (records.size() >= 10) {
            for (int i = 0; i < records.size(); i++) (i % 10 == 9 ? val : train).append(records.get(i));
        } else {
            String all = String.join("", records);
            int cut = all.offsetByCodePoints(0, (int) (all.codePointCount(0, all.length()) * 0.9));
            train.append(all, 0, cut);
            val.append(all, cut, all.length());
        }
        if (train.isEmpty() || val.isEmpty())
            throw new IllegalArgumentException("TextCorpus: " + source + " holds too little text to split into training and validation");
        return new TextCorpus(train.toString(), val.toString(), source, files, records.size());
    }

    /** The records of one file: text between {@code %} lines, each ending with a newline. */
    static List<String> records(String text) {
        List<String> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (String raw : text.split("\n", -1)) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.strip().equals("%")) {
                if (!cur.isEmpty()) out.add(String.join("\n", cur) + "\n");
                cur.clear();
            } else {
                cur.add(line);
            }
        }
        // the file's last record ends at the end of the file (its final newline leaves an empty line)
        while (!cur.isEmpty() && cur.getLast().isEmpty()) cur.removeLast();
        if (!cur.isEmpty()) out.add(String.join("\n", cur) + "\n");
        return out;
    }
}
