package dev.ember.ml;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Association rules by the Apriori algorithm (Agrawal and Srikant, 1994): frequent itemsets are
 * grown one item at a time, keeping only candidates whose every subset is frequent; rules
 * {@code A -> C} are kept when {@code support(A ∪ C) / support(A) >= minConfidence}.
 * Support is a fraction of transactions; lift is {@code confidence / support(C)}.
 */
public final class Apriori {
    /** A frequent itemset and its support. */
    public record Itemset(Set<String> items, double support) {}

    /** A rule {@code antecedent -> consequent} with its support, confidence and lift. */
    public record Rule(Set<String> antecedent, Set<String> consequent, double support, double confidence, double lift) {}

    private final double minSupport, minConfidence;
    private Map<Set<String>, Double> frequent;

    /** Thresholds in (0, 1]. */
    public Apriori(double minSupport, double minConfidence) {
        if (!(minSupport > 0 && minSupport <= 1) || !(minConfidence > 0 && minConfidence <= 1))
            throw new IllegalArgumentException("Apriori: minSupport and minConfidence must be in (0, 1], got " + minSupport + ", " + minConfidence);
        this.minSupport = minSupport;
        this.minConfidence = minConfidence;
    }

    /** Finds the frequent itemsets of {@code transactions} (each a set of item names); returns {@code this}. */
    public Apriori fit(List<? extends Collection<String>> transactions) {
        if (transactions.isEmpty()) throw new IllegalArgumentException("Apriori.fit: no transactions");
        List<Set<String>> sets = new ArrayList<>();
        for (Collection<String> t : transactions) sets.add(new HashSet<>(t));
        int n = sets.size();
        frequent = new HashMap<>();
        Map<Set<String>, Integer> counts = new HashMap<>();
        for (Set<String> t : sets) for (String item : t) counts.merge(Set.of(item), 1, Integer::sum);
        List<Set<String>> level = keep(counts, n);
        while (!level.isEmpty()) {
            List<Set<String>> candidates = nextCandidates(level);
            counts = new HashMap<>();
            for (Set<String> c : candidates) counts.put(c, 0);
            for (Set<String> t : sets) for (Set<String> c : candidates) if (t.containsAll(c)) counts.merge(c, 1, Integer::sum);
            level = keep(counts, n);
        }
        return this;
    }

    private List<Set<String>> keep(Map<Set<String>, Integer> counts, int n) {
        List<Set<String>> out = new ArrayList<>();
        for (var e : counts.entrySet()) {
            double s = (double) e.getValue() / n;
            if (s >= minSupport) {
                frequent.put(e.getKey(), s);
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Joins frequent k-itemsets that share k-1 items; prunes candidates with an infrequent k-subset. */
    private List<Set<String>> nextCandidates(List<Set<String>> level) {
        Set<Set<String>> out = new HashSet<>();
        Set<Set<String>> levelSet = new HashSet<>(level);
        for (int a = 0; a < level.size(); a++)
            for (int b = a + 1; b < level.size(); b++) {
                Set<String> u = new HashSet<>(level.get(a));
                u.addAll(level.get(b));
                if (u.size() != level.get(a).size() + 1 || out.contains(u)) continue;
                boolean allFrequent = true;
                for (String item : u) {
                    Set<String> sub = new HashSet<>(u);
                    sub.remove(item);
                    if (!levelSet.contains(sub)) { allFrequent = false; break; }
                }
                if (allFrequent) out.add(Set.copyOf(u));
            }
        return new ArrayList<>(out);
    }

    /** Frequent itemsets with support (in no particular order). */
    public List<Itemset> frequentItemsets() {
        if (frequent == null) throw new IllegalStateException("Apriori: call fit first");
        List<Itemset> out = new ArrayList<>();
        frequent.forEach((k, v) -> out.add(new Itemset(new TreeSet<>(k), v)));
        return out;
    }

    /** Rules over every frequent itemset of size >= 2 and every non-empty proper antecedent. */
    public List<Rule> rules() {
        if (frequent == null) throw new IllegalStateException("Apriori: call fit first");
        List<Rule> out = new ArrayList<>();
        for (var e : frequent.entrySet()) {
            List<String> items = new ArrayList<>(new TreeSet<>(e.getKey()));
            int m = items.size();
            if (m < 2) continue;
            for (int mask = 1; mask < (1 << m) - 1; mask++) {
                Set<String> a = new TreeSet<>(), c = new TreeSet<>();
                for (int i = 0; i < m; i++) (((mask >> i) & 1) == 1 ? a : c).add(items.get(i));
                double conf = e.getValue() / frequent.get(Set.copyOf(a));
                if (conf >= minConfidence) out.add(new Rule(a, c, e.getValue(), conf, conf / frequent.get(Set.copyOf(c))));
            }
        }
        return out;
    }
}
