package dev.ember.studio.runs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows a file that another process appends lines to: each {@link #poll} returns the complete lines written
 * since the last one. A last line without its newline is still being written and waits for the next poll.
 */
public final class LogTail {
    private final Path file;
    private long offset;

    /** Follows {@code file} from its start. */
    public LogTail(Path file) { this.file = file; }

    /** Follows {@code file} from byte {@code offset}. */
    public LogTail(Path file, long offset) {
        this.file = file;
        this.offset = offset;
    }

    /** The byte offset after the last complete line returned. */
    public long offset() { return offset; }

    /** The complete lines appended since the last poll (none if the file does not exist yet); at most {@code maxBytes} are read. */
    public List<String> poll(int maxBytes) {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(file)) return lines;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long len = raf.length();
            if (len < offset) offset = 0; // truncated: start again
            int n = (int) Math.min(len - offset, maxBytes);
            if (n <= 0) return lines;
            byte[] buf = new byte[n];
            raf.seek(offset);
            raf.readFully(buf);
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    lines.add(new String(buf, start, i - start, StandardCharsets.UTF_8).stripTrailing());
                    start = i + 1;
                }
            }
            if (start == 0 && n == maxBytes && lines.isEmpty()) { // one line longer than the window: pass it cut
                lines.add(new String(buf, StandardCharsets.UTF_8));
                start = n;
            }
            offset += start;
        } catch (IOException ex) {
            // the run may be replacing the file; try again at the next poll
        }
        return lines;
    }

    /** The last {@code maxLines} lines of {@code file} (reading at most its last 64 KiB). */
    public static List<String> last(Path file, int maxLines) {
        if (!Files.exists(file)) return List.of();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long len = raf.length();
            long from = Math.max(0, len - 65536);
            byte[] buf = new byte[(int) (len - from)];
            raf.seek(from);
            raf.readFully(buf);
            List<String> all = new ArrayList<>(List.of(new String(buf, StandardCharsets.UTF_8).split("\r?\n|\r")));
            if (from > 0 && !all.isEmpty()) all.removeFirst();
            return all.subList(Math.max(0, all.size() - maxLines), all.size());
        } catch (IOException ex) {
            return List.of();
        }
    }
}
