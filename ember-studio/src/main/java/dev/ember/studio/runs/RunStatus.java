package dev.ember.studio.runs;

import com.google.gson.JsonObject;

/**
 * Where a run stands.
 *
 * @param state   {@code created}, {@code running}, {@code finished}, {@code failed}, {@code aborted} or {@code lost}
 *                (its process ended without saying how, e.g. killed from outside)
 * @param pid     the run's process id, or 0
 * @param started when it started (epoch milliseconds), or 0
 * @param ended   when it ended (epoch milliseconds), or 0
 * @param error   what went wrong, or null
 * @param plan    epochs and steps the run expects ({@code total_steps}), or null
 * @param result  what the run reported at the end (test accuracy, ...), or null
 */
public record RunStatus(String state, long pid, long started, long ended, String error, JsonObject plan, JsonObject result) {
    /** Whether the state is final (finished, failed, aborted, lost). */
    public boolean isFinal() { return !state.equals("running") && !state.equals("created"); }
}
