package dev.ember.llm.data;

import dev.ember.data.io.DataFormatException;
import dev.ember.data.split.Splits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The riddles demo dataset: question and answer pairs from a fortune file's {@code Q:}/{@code A:} records, by default
 * Debian's {@code fortunes-min} {@code riddles} file (about 140 pairs), else a small set bundled with Ember.
 *
 * <p>A fortune file holds records separated by lines of {@code %}; a riddle is a line starting {@code Q:} and one
 * starting {@code A:} next to each other (in either order: the file's "questions for the great answers" give the
 * answer first); indented lines continue the one before; a record may hold several riddles; other records (knock-knock
 * jokes, questions without answers) are skipped. Whitespace inside a question or answer is collapsed to single spaces.
 *
 * @param riddles the pairs, in file order
 * @param source  where they came from, as the commands print it
 */
public record Riddles(List<Riddle> riddles, String source) {
    /** Debian's riddles file (package {@code fortunes-min}). */
    public static final Path DEBIAN = Path.of("/usr/share/games/fortunes/riddles");

    private static final String BUNDLED = "riddles.txt";

    /** Copies the list and checks it is not empty. */
    public Riddles {
        riddles = List.copyOf(riddles);
        if (riddles.isEmpty()) throw new IllegalArgumentException("Riddles: " + source + " holds no Q:/A: riddles");
    }

    /** Training and held-out riddles. */
    public record Split(List<Riddle> train, List<Riddle> heldOut) {}

    /**
     * The riddles of {@code file} when given, else of {@link #DEBIAN} when installed, else the bundled set; the
     * {@link #source()} says which.
     */
    public static Riddles find(Path file) {
        if (file != null) return read(file);
        if (Files.isRegularFile(DEBIAN)) {
            Riddles r = read(DEBIAN);
            return new Riddles(r.riddles(), DEBIAN + " (Debian fortunes-min)");
        }
        return bundled();
    }

    /** The riddles of a fortune file. */
    public static Riddles read(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("riddles: " + file + " is not a file");
        try {
            return new Riddles(parse(Files.readString(file, StandardCharsets.UTF_8)), file.toString());
        } catch (java.nio.charset.MalformedInputException e) {
            throw new DataFormatException(file, "text", "expected UTF-8 text, found an invalid byte sequence", e);
        } catch (IOException e) {
            throw new UncheckedIOException("riddles: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The small set bundled with Ember (written for it, in the same format; install fortunes-min for the full set). */
    public static Riddles bundled() {
        try (InputStream in = Riddles.class.getResourceAsStream(BUNDLED)) {
            if (in == null) throw new IllegalStateException("riddles: the bundled resource " + BUNDLED + " is missing from ember-llm");
            return new Riddles(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)), "the bundled set (" + BUNDLED
                    + "; install fortunes-min for Debian's riddles)");
        } catch (IOException e) {
            throw new UncheckedIOException("riddles: " + e.getMessage(), e);
        }
    }

    /** The riddles in fortune-file text. */
    public static List<Riddle> parse(String text) {
        List<Riddle> out = new ArrayList<>();
        List<String[]> items = new ArrayList<>(); // {tag, text} of one record
        String[] current = null;
        for (String line : text.split("\r?\n", -1)) {
            if (line.equals("%")) {
                pair(items, out);
                items.clear();
                current = null;
            } else if (line.startsWith("Q:") || line.startsWith("A:")) {
                current = new String[]{line.substring(0, 1), line.substring(2)};
                items.add(current);
            } else if (current != null && !line.isBlank() && Character.isWhitespace(line.charAt(0))) {
                current[1] = current[1] + " " + line;
            } else {
                current = null; // a blank line or other text ends the item
            }
        }
        pair(items, out);
        return out;
    }

    private static void pair(List<String[]> items, List<Riddle> out) {
        for (int k = 0; k + 1 < items.size(); k++) {
            String[] a = items.get(k), b = items.get(k + 1);
            if (a[0].equals(b[0])) continue;
            String q = clean(a[0].equals("Q") ? a[1] : b[1]), ans = clean(a[0].equals("A") ? a[1] : b[1]);
            if (!q.isEmpty() && !ans.isEmpty()) out.add(new Riddle(q, ans));
            k++;
        }
    }

    private static String clean(String s) { return s.strip().replaceAll("\\s+", " "); }

    /**
     * The riddles shuffled with {@code seed} and cut at {@code trainFraction} (0.9: the 90/10 split; at least
     * one riddle on each side).
     */
    public Split split(double trainFraction, long seed) {
        if (!(trainFraction > 0 && trainFraction < 1)) throw new IllegalArgumentException("riddles: the training fraction must be in (0, 1), got "
                + trainFraction);
        if (riddles.size() < 2) throw new IllegalArgumentException("riddles: " + source + " has " + riddles.size() + " riddle; a split needs 2");
        int[][] parts = Splits.randomIndices(riddles.size(), new double[]{trainFraction, 1 - trainFraction}, seed);
        List<Riddle> train = new ArrayList<>(), held = new ArrayList<>();
        for (int i : parts[0]) train.add(riddles.get(i));
        for (int i : parts[1]) held.add(riddles.get(i));
        return new Split(train, held);
    }

    /** Each riddle as a conversation with {@code system} (null: none). */
    public static List<Conversation> conversations(List<Riddle> riddles, String system) {
        return riddles.stream().map(r -> r.conversation(system)).toList();
    }
}
