package dev.ember.studio.runner;

import com.google.gson.JsonObject;
import dev.ember.studio.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes the process's heap use and resident set size once a second, as JSON lines, for the live view. */
final class ResourceSampler {
    private final Thread thread;
    private volatile boolean running = true;

    private ResourceSampler(Path file) {
        thread = Thread.ofPlatform().daemon().name("studio-resources").unstarted(() -> loop(file));
    }

    static ResourceSampler start(Path file) {
        ResourceSampler s = new ResourceSampler(file);
        s.thread.start();
        return s;
    }

    void stop() {
        running = false;
        thread.interrupt();
    }

    private void loop(Path file) {
        long t0 = System.nanoTime();
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (running) {
                MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                JsonObject o = new JsonObject();
                o.addProperty("elapsed", (System.nanoTime() - t0) / 1e9);
                o.addProperty("heap_used_mb", heap.getUsed() / 1048576.0);
                o.addProperty("heap_max_mb", heap.getMax() / 1048576.0);
                long rss = rssKb();
                if (rss >= 0) o.addProperty("rss_mb", rss / 1024.0);
                w.write(Json.GSON.toJson(o));
                w.newLine();
                w.flush();
                Thread.sleep(1000);
            }
        } catch (InterruptedException | IOException ex) {
            // stopped, or the run directory went away
        }
    }

    /** VmRSS from /proc/self/status (Linux), or -1. */
    private static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        } catch (IOException | RuntimeException ex) {
            // not Linux
        }
        return -1;
    }
}
