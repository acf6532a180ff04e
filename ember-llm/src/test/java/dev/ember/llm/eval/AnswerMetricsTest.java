package dev.ember.llm.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** SQuAD's normalisation, exact match and F1 against the official script's functions (make_squad_refs.py). */
class AnswerMetricsTest {
    @Test
    void matchesTheSquadScript() {
        var in = AnswerMetricsTest.class.getResourceAsStream("/eval/squad.json");
        JsonObject refs = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        int n = 0;
        for (JsonElement e : refs.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String p = c.get("prediction").getAsString(), t = c.get("truth").getAsString();
            assertEquals(c.get("normalized_prediction").getAsString(), AnswerMetrics.normalize(p), p);
            assertEquals(c.get("normalized_truth").getAsString(), AnswerMetrics.normalize(t), t);
            assertEquals(c.get("em").getAsDouble(), AnswerMetrics.exactMatch(p, t), p + " / " + t);
            assertEquals(c.get("f1").getAsDouble(), AnswerMetrics.f1(p, t), 1e-12, p + " / " + t);
            n++;
        }
        assertEquals(12, n);
    }

    @Test
    void handComputedF1() {
        // prediction {cat, cat, dog}, truth {cat, dog, dog}: common cat + dog = 2; precision 2/3, recall 2/3
        assertEquals(2.0 / 3, AnswerMetrics.f1("cat cat dog", "cat dog dog"), 1e-12);
        assertEquals(1.0, AnswerMetrics.exactMatch("The Piano!", "a piano"));
        assertEquals(0.0, AnswerMetrics.f1("", "a towel"));
    }
}
