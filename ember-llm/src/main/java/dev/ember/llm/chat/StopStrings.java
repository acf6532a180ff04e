package dev.ember.llm.chat;

import java.util.List;

/**
 * Finds stop sequences in text that arrives piece by piece, and says which text may be sent on. Text that could be
 * the start of a stop sequence is held back until it is known not to be one, so a client never receives any part of
 * a stop sequence (OpenAI's behaviour); when one appears, the text before it is released and generation should end.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean matched;

    StopStrings(List<String> stops) { this.stops = List.copyOf(stops); }

    /** Adds {@code text}; returns what can be sent now (the text before a stop sequence once one has appeared). */
    String push(String text) {
        if (matched) return "";
        held.append(text);
        int first = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0) {
            matched = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        String h = held.toString();
        int keep = 0; // the longest end of the held text that begins some stop sequence
        for (String s : stops)
            for (int k = Math.min(s.length() - 1, h.length()); k > keep; k--)
                if (h.regionMatches(h.length() - k, s, 0, k)) {
                    keep = k;
                    break;
                }
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** Whether a stop sequence has appeared. */
    boolean matched() { return matched; }

    /** At the end of generation without a match: the text still held back. */
    String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }
}
