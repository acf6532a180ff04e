package dev.ember.cli;

import dev.ember.data.DataLoaderException;
import dev.ember.data.io.DataFormatException;
import dev.ember.train.TrainingDivergedException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/**
 * Turns whatever ended a command into one line for its user: what failed, the file or argument when
 * the exception names one, and what to try. Errors are not special to the user: an
 * {@link OutOfMemoryError} says how to give Java more memory, other errors and unexpected exceptions
 * say how to see the stack trace.
 */
final class FailureMessage {
    private FailureMessage() {}

    /** {@code "<prefix>: <what failed>[; hint]"}, one line. */
    static String describe(String prefix, Throwable t, boolean debug) {
        String more = debug ? "" : "; run with --debug for the stack trace";
        OutOfMemoryError oom = find(t, OutOfMemoryError.class);
        if (oom != null) {
            long maxMb = Runtime.getRuntime().maxMemory() >> 20;
            return prefix + ": out of memory (" + (oom.getMessage() == null ? "OutOfMemoryError" : oom.getMessage()) + ", heap limit " + maxMb
                    + " MB). Give Java more, e.g. EMBER_JAVA_OPTS=-Xmx" + suggestedHeapGb(maxMb) + "g, or use less (a smaller --batch-size)";
        }
        StackOverflowError soe = find(t, StackOverflowError.class);
        if (soe != null) return prefix + ": stack overflow; give threads a larger stack, e.g. EMBER_JAVA_OPTS=-Xss16m" + more;
        TrainingDivergedException diverged = find(t, TrainingDivergedException.class);
        if (diverged != null)
            return prefix + ": " + oneLine(strip(diverged.getMessage())) + ". Try a lower --lr, or --on-nonfinite skip to skip such batches";
        // a bad -D setting read by a class initialiser (-Dember.cpu.cacheLimit=lots) is the user's error, not ours
        if (t instanceof ExceptionInInitializerError init && init.getCause() instanceof IllegalArgumentException bad)
            return prefix + ": " + chain(bad);
        if (t instanceof Error) return prefix + ": internal error: " + name(t) + more;
        String message = chain(t);
        // a user's error (a bad file or value) needs no stack trace; anything else may be a bug worth one
        boolean expected = t instanceof IllegalArgumentException || t instanceof UncheckedIOException || t instanceof java.io.IOException
                || t instanceof UnsupportedOperationException || t instanceof DataFormatException || t instanceof DataLoaderException;
        return prefix + ": " + message + (expected ? "" : more);
    }

    /** The exception's message followed by what its causes add, as one line. */
    private static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder(name(t));
        int depth = 0;
        for (Throwable c = t.getCause(); c != null && c != t && depth < 5; c = c.getCause(), depth++) {
            String m = name(c);
            if (!sb.toString().contains(m) && !(c.getMessage() != null && sb.toString().contains(c.getMessage()))) sb.append(": ").append(m);
        }
        return oneLine(sb.toString());
    }

    /** A readable name for one throwable: its message (with file exceptions' wording), or its class if it has none. */
    private static String name(Throwable t) {
        if (t instanceof NoSuchFileException f) return "no such file: " + f.getFile();
        if (t instanceof AccessDeniedException f) return "permission denied: " + f.getFile();
        if (t instanceof FileSystemException f && f.getReason() != null)
            return f.getFile() + ": " + f.getReason().toLowerCase(Locale.ROOT);
        String m = t.getMessage();
        boolean plain = t instanceof IllegalArgumentException || t instanceof UncheckedIOException || t instanceof IllegalStateException;
        if (m == null || m.isBlank()) return t.getClass().getSimpleName();
        return plain ? m : t.getClass().getSimpleName() + ": " + m;
    }

    /** {@code Trainer: training diverged: ...} reads better without the class's prefix. */
    private static String strip(String message) { return message.startsWith("Trainer: ") ? message.substring("Trainer: ".length()) : message; }

    /** A message on one line: line breaks become "; ". */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static long suggestedHeapGb(long maxMb) { return Math.max(2, (2 * maxMb + 1023) / 1024); }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        int depth = 0;
        for (Throwable c = t; c != null && depth < 10; c = c.getCause(), depth++) if (type.isInstance(c)) return type.cast(c);
        return null;
    }
}
