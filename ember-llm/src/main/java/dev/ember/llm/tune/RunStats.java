package dev.ember.llm.tune;

import com.google.gson.JsonObject;
import dev.ember.train.RunLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Figures of a finished run for the LoRA-against-full comparison: step time from the run log, peak memory. */
final class RunStats {
    private RunStats() {}

    /**
     * Mean seconds per training step: the time between consecutive step records of one epoch over the steps they span
     * (validation between epochs does not count), leaving out the first epoch when there are more (the JIT warms up).
     */
    static double meanStepSeconds(Path log) {
        double secs = 0;
        long steps = 0;
        JsonObject prev = null;
        int lastEpoch = 0;
        for (JsonObject r : RunLog.read(log)) if (r.get("type").getAsString().equals("step")) lastEpoch = Math.max(lastEpoch, r.get("epoch").getAsInt());
        int from = lastEpoch > 0 ? 1 : 0;
        for (JsonObject r : RunLog.read(log)) {
            if (!r.get("type").getAsString().equals("step") || r.get("epoch").getAsInt() < from) continue;
            if (prev != null && r.get("epoch").getAsInt() == prev.get("epoch").getAsInt()) {
                secs += r.get("elapsed").getAsDouble() - prev.get("elapsed").getAsDouble();
                steps += r.get("step").getAsLong() - prev.get("step").getAsLong();
            }
            prev = r;
        }
        return steps == 0 ? Double.NaN : secs / steps;
    }

    /** The process's peak resident set size ({@code VmHWM} of /proc/self/status) in bytes, or -1 where there is none. */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
