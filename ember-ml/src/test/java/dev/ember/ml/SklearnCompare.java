package dev.ember.ml;

import dev.ember.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Ember's side of benchmarks/sklearn_compare.py: fits each estimator on the four datasets (same
 * splits and standardization as the agreement tests) and prints one JSON line per run with the
 * test score and the median fit time of {@code repeats} fits after one warm-up fit.
 * Run: {@code java -cp target/test-classes:target/classes:<deps> dev.ember.ml.SklearnCompare [repeats]}.
 */
public final class SklearnCompare {
    private SklearnCompare() {}

    private record Job(String name, boolean standardize, Supplier<Estimator> make, String metric) {}

    /** Entry point; optional argument: timed repeats per fit (default 5). */
    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Job> jobs = List.of(
                new Job("LogisticRegression", true, LogisticRegression::new, "accuracy"),
                new Job("DecisionTreeClassifier", false, DecisionTreeClassifier::new, "accuracy"),
                new Job("RandomForestClassifier", false, () -> new RandomForestClassifier(100, 0), "accuracy"),
                new Job("SVC(rbf)", true, SVC::new, "accuracy"),
                new Job("KNeighborsClassifier", true, KNeighborsClassifier::new, "accuracy"),
                new Job("GaussianNB", false, GaussianNB::new, "accuracy"),
                new Job("Ridge", true, Ridge::new, "r2"),
                new Job("KMeans", true, null, "inertia"));
        for (String dataset : SklearnData.NAMES) {
            SklearnData d = SklearnData.load(dataset);
            for (Job job : jobs) {
                Tensor x = d.trainX(job.standardize), tx = d.testX(job.standardize);
                Tensor y = job.metric.equals("r2") ? d.trainTargets() : d.trainY();
                int k = d.ref().getAsJsonArray("classes").size();
                Supplier<Estimator> make = job.make != null ? job.make : () -> new KMeans(k, 10, 0);
                double[] times = new double[repeats];
                Estimator fitted = make.get().fit(x, y);   // warm-up
                for (int r = 0; r < repeats; r++) {
                    Estimator e = make.get();
                    long t0 = System.nanoTime();
                    e.fit(x, y);
                    times[r] = (System.nanoTime() - t0) / 1e6;
                    fitted = e;
                }
                Arrays.sort(times);
                double score = switch (job.metric) {
                    case "r2" -> fitted.score(tx, Tensor.of(d.testY().toDoubleArray(), d.test().length));
                    case "inertia" -> ((KMeans) fitted).inertia();
                    default -> fitted.score(tx, d.testY());
                };
                System.out.println(String.format(Locale.ROOT,
                        "{\"dataset\": \"%s\", \"estimator\": \"%s\", \"metric\": \"%s\", \"score\": %.6f, \"fit_ms\": %.3f}",
                        dataset, job.name, job.metric, score, times[repeats / 2]));
            }
        }
    }

}
