package dev.ember.ml;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Apriori on transactions made from discretized iris rows equals a brute-force enumeration of
 * every subset (apriori.json, written by benchmarks/reference/make_sklearn_refs.py).
 */
class AprioriTest {
    private static List<String> strings(JsonElement e) {
        List<String> out = new ArrayList<>();
        for (JsonElement s : e.getAsJsonArray()) out.add(s.getAsString());
        return out;
    }

    @Test
    void itemsetsAndRulesMatchBruteForce() throws Exception {
        JsonObject ref;
        try (var in = AprioriTest.class.getResourceAsStream("/sklearn/apriori.json")) {
            ref = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        List<List<String>> transactions = new ArrayList<>();
        for (JsonElement t : ref.getAsJsonArray("transactions")) transactions.add(strings(t));
        Apriori ap = new Apriori(ref.get("min_support").getAsDouble(), ref.get("min_confidence").getAsDouble()).fit(transactions);

        Map<String, Double> expected = new HashMap<>();
        for (JsonElement e : ref.getAsJsonArray("itemsets")) expected.put(strings(e.getAsJsonObject().get("items")).toString(), e.getAsJsonObject().get("support").getAsDouble());
        Map<String, Double> got = new HashMap<>();
        for (Apriori.Itemset s : ap.frequentItemsets()) got.put(new ArrayList<>(s.items()).toString(), s.support());
        assertEquals(expected.keySet(), got.keySet());
        for (var e : expected.entrySet()) assertEquals(e.getValue(), got.get(e.getKey()), 1e-12, e.getKey());

        JsonArray rules = ref.getAsJsonArray("rules");
        Map<String, double[]> expRules = new HashMap<>();
        for (JsonElement e : rules) {
            JsonObject r = e.getAsJsonObject();
            expRules.put(strings(r.get("antecedent")) + "->" + strings(r.get("consequent")),
                    new double[]{r.get("support").getAsDouble(), r.get("confidence").getAsDouble(), r.get("lift").getAsDouble()});
        }
        Map<String, double[]> gotRules = new HashMap<>();
        for (Apriori.Rule r : ap.rules())
            gotRules.put(new ArrayList<>(new TreeSet<>(r.antecedent())) + "->" + new ArrayList<>(new TreeSet<>(r.consequent())), new double[]{r.support(), r.confidence(), r.lift()});
        assertEquals(expRules.keySet(), gotRules.keySet());
        assertFalse(expRules.isEmpty());
        for (var e : expRules.entrySet()) assertArrayEquals(e.getValue(), gotRules.get(e.getKey()), 1e-12, e.getKey());
    }

    @Test
    void classicGroceryExample() {
        var t = List.of(List.of("bread", "milk"), List.of("bread", "diapers", "beer", "eggs"), List.of("milk", "diapers", "beer", "cola"),
                List.of("bread", "milk", "diapers", "beer"), List.of("bread", "milk", "diapers", "cola"));
        Apriori ap = new Apriori(0.6, 0.7).fit(t);
        // {diapers, beer}: support 3/5; beer -> diapers has confidence 1 and lift 1 / (4/5) = 1.25.
        Apriori.Rule r = ap.rules().stream().filter(x -> x.antecedent().equals(java.util.Set.of("beer"))).findFirst().orElseThrow();
        assertEquals(java.util.Set.of("diapers"), r.consequent());
        assertEquals(0.6, r.support(), 1e-15);
        assertEquals(1.0, r.confidence(), 1e-15);
        assertEquals(1.25, r.lift(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new Apriori(0, 0.5));
    }
}
