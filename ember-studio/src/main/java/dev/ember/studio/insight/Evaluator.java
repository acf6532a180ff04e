package dev.ember.studio.insight;

import com.google.gson.JsonObject;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.io.SafeTensors;
import dev.ember.metrics.Average;
import dev.ember.metrics.Classification;
import dev.ember.metrics.ConfusionMatrix;
import dev.ember.metrics.PrecisionRecallF;
import dev.ember.metrics.Ranking;
import dev.ember.ml.DecisionTreeClassifier;
import dev.ember.ml.ModelFile;
import dev.ember.ml.ProbabilisticClassifier;
import dev.ember.ml.RandomForestClassifier;
import dev.ember.nn.Module;
import dev.ember.studio.ApiError;
import dev.ember.studio.runner.TableData;
import dev.ember.studio.runs.RunFiles;
import dev.ember.studio.runs.RunStore;
import dev.ember.train.FashionMnistRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluate and explain tabs: a run's model on its test set (metrics, confusion matrix, one-vs-rest ROC and
 * PR curves, misclassified examples with their images), attribution maps for one test image, and the feature
 * importances of trees and forests. Networks are tested on the test split of their data set, classical
 * estimators on the rows their run held out (the same seeded split).
 */
public final class Evaluator {
    private static final int MAX_CURVE_POINTS = 150;
    private final RunStore store;

    /** Evaluates the runs of {@code store}. */
    public Evaluator(RunStore store) { this.store = store; }

    /** The checkpoints of run {@code id} that can be evaluated: {@code model} (final weights), {@code best}, {@code last}. */
    public List<String> checkpoints(String id) {
        RunFiles f = store.files(id);
        List<String> out = new ArrayList<>();
        if (Files.exists(f.model()) || Files.exists(f.estimator()) || Files.exists(f.adapter())) out.add("model");
        for (String c : List.of("best", "last")) if (Files.exists(f.checkpoints().resolve(c + ".safetensors"))) out.add(c);
        return out;
    }

    /** A test set scored by a model: labels, class probabilities, and what to show of each example. */
    record Scored(long[] y, double[][] proba, List<String> classes, int side, float[][] shown, List<String> features) {}

    /** Metrics, confusion matrix, curves and misclassified examples of run {@code id}'s model on at most {@code limit} test examples. */
    public Map<String, Object> evaluate(String id, String checkpoint, int limit) {
        if (limit < 1 || limit > 10000) throw ApiError.badRequest("limit: 1 to 10000 examples");
        JsonObject args = store.args(id);
        if (LanguageEvaluator.isLanguage(args)) return LanguageEvaluator.evaluate(id, args, store.files(id), checkpoint, limit);
        Scored s = score(id, checkpoint, limit);
        int n = s.y().length, k = s.classes().size();
        long[] pred = new long[n];
        for (int i = 0; i < n; i++) pred[i] = argmax(s.proba()[i]);
        long[] labels = new long[k];
        for (int c = 0; c < k; c++) labels[c] = c;
        ConfusionMatrix cm = ConfusionMatrix.of(s.y(), pred, labels);
        PrecisionRecallF macro = Classification.precisionRecallF(s.y(), pred, Average.MACRO, 1.0, 0.0);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("examples", n);
        metrics.put("accuracy", Classification.accuracy(s.y(), pred));
        metrics.put("precision_macro", macro.precision()[0]);
        metrics.put("recall_macro", macro.recall()[0]);
        metrics.put("f1_macro", macro.fScore()[0]);
        metrics.put("log_loss", logLoss(s.y(), s.proba()));
        List<Map<String, Object>> roc = new ArrayList<>(), pr = new ArrayList<>();
        PrecisionRecallF per = Classification.perClass(cm, 1.0, 0.0);
        List<Map<String, Object>> perClass = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            long[] bin = new long[n];
            double[] score = new double[n];
            boolean both = false, any = false;
            for (int i = 0; i < n; i++) {
                bin[i] = s.y()[i] == c ? 1 : 0;
                score[i] = s.proba()[i][c];
                any |= bin[i] == 1;
                both |= bin[i] == 0;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("class", s.classes().get(c));
            row.put("precision", per.precision()[c]);
            row.put("recall", per.recall()[c]);
            row.put("f1", per.fScore()[c]);
            row.put("support", per.support()[c]);
            if (any && both) {
                Ranking.RocCurve r = Ranking.rocCurve(bin, score, 1);
                Ranking.PrCurve p = Ranking.precisionRecallCurve(bin, score, 1);
                double auc = Ranking.rocAuc(bin, score), ap = Ranking.averagePrecision(bin, score);
                row.put("roc_auc", auc);
                row.put("average_precision", ap);
                roc.add(Map.of("class", s.classes().get(c), "auc", auc, "points", thin(r.fpr(), r.tpr())));
                pr.add(Map.of("class", s.classes().get(c), "ap", ap, "points", thin(p.recall(), p.precision())));
            }
            perClass.add(row);
        }
        List<Map<String, Object>> wrong = new ArrayList<>();
        for (int i = 0; i < n && wrong.size() < 24; i++) {
            if (pred[i] == s.y()[i]) continue;
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("index", i);
            w.put("true", s.classes().get((int) s.y()[i]));
            w.put("predicted", s.classes().get((int) pred[i]));
            w.put("confidence", s.proba()[i][(int) pred[i]]);
            if (s.side() > 0) w.put("image", Png.gray(s.shown()[i], s.side(), s.side()));
            else w.put("features", features(s.features(), s.shown()[i]));
            wrong.add(w);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run", id);
        out.put("checkpoint", checkpoint);
        out.put("classes", s.classes());
        out.put("metrics", metrics);
        out.put("per_class", perClass);
        out.put("confusion", cm.counts());
        out.put("roc", roc);
        out.put("pr", pr);
        out.put("misclassified", wrong);
        long wrongCount = 0;
        for (int i = 0; i < n; i++) if (pred[i] != s.y()[i]) wrongCount++;
        out.put("misclassified_total", wrongCount);
        out.put("images", s.side() > 0);
        return out;
    }

    /** Saliency and integrated-gradient maps for test image {@code index} of a network run; {@code target} null: the predicted class. */
    public Map<String, Object> explain(String id, String checkpoint, int index, Integer target, int steps) {
        JsonObject args = store.args(id);
        if (LanguageEvaluator.isLanguage(args)) throw ApiError.badRequest("explain: run '" + id + "' is a language model; Explain maps image pixels");
        if (!isNetwork(args)) throw ApiError.badRequest("explain: run '" + id + "' is a classical model; see its feature importances");
        if (steps < 1 || steps > 512) throw ApiError.badRequest("steps: 1 to 512");
        Module model = network(id, args, checkpoint);
        TensorDataset test = FashionMnist.loadDirectory(Path.of(args.get("_data").getAsString())).test();
        if (index < 0 || index >= test.size()) throw ApiError.badRequest("index: 0 to " + (test.size() - 1));
        Tensor raw = test.inputs().narrow(0, index, 1).contiguous();
        Tensor x = FashionMnist.normalize(raw);
        Tensor baseline = FashionMnist.normalize(Tensor.zerosLike(raw)); // a black image
        double[] probs;
        try (var ignored = Ember.noGrad()) {
            model.eval();
            probs = model.forward(x).softmax(1).toDoubleArray();
        }
        int predicted = argmax(probs);
        int t = target == null ? predicted : target;
        if (t < 0 || t >= probs.length) throw ApiError.badRequest("target: 0 to " + (probs.length - 1));
        Tensor sal = Attribution.saliency(model, x, t);
        Tensor ig = Attribution.integratedGradients(model, x, baseline, t, steps);
        double fx, fb;
        try (var ignored = Ember.noGrad()) {
            fx = Attribution.score(model, x, t).item();
            fb = Attribution.score(model, baseline, t).item();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("index", index);
        out.put("true", FashionMnist.CLASSES.get((int) test.targets().toLongArray()[index]));
        out.put("predicted", FashionMnist.CLASSES.get(predicted));
        out.put("target", FashionMnist.CLASSES.get(t));
        out.put("probability", probs[t]);
        out.put("image", Png.gray(raw.toFloatArray(), 28, 28));
        out.put("saliency", Png.heat(sal.toFloatArray(), 28, 28));
        out.put("integrated_gradients", Png.diverging(ig.toFloatArray(), 28, 28));
        out.put("ig_sum", ig.sum().item());
        out.put("score_difference", fx - fb);
        out.put("steps", steps);
        out.put("classes", FashionMnist.CLASSES);
        return out;
    }

    /** The feature importances of a tree or forest run, largest first (at most 30), and a heat map for image rows. */
    public Map<String, Object> importances(String id) {
        JsonObject args = store.args(id);
        if (isNetwork(args) || LanguageEvaluator.isLanguage(args)) throw ApiError.badRequest("importances: run '" + id + "' is a network; use Explain");
        ProbabilisticClassifier model = estimator(id);
        double[] imp = switch (model) {
            case DecisionTreeClassifier t -> t.featureImportances();
            case RandomForestClassifier f -> f.featureImportances();
            default -> throw ApiError.badRequest("importances: a " + model.getClass().getSimpleName() + " has no feature importances");
        };
        TableData data = TableData.load(args);
        Integer[] order = new Integer[imp.length];
        for (int i = 0; i < imp.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(imp[b], imp[a]));
        List<Map<String, Object>> top = new ArrayList<>();
        for (int i = 0; i < Math.min(30, imp.length); i++) top.add(Map.of("feature", data.features().get(order[i]), "importance", imp[order[i]]));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("features", top);
        if (data.imageSide() > 0) {
            float[] f = new float[imp.length];
            for (int i = 0; i < imp.length; i++) f[i] = (float) imp[i];
            out.put("map", Png.heat(f, data.imageSide(), data.imageSide()));
        }
        return out;
    }

    // ---- scoring ----------------------------------------------------------------------------------------

    private Scored score(String id, String checkpoint, int limit) {
        JsonObject args = store.args(id);
        if (isNetwork(args)) {
            Module model = network(id, args, checkpoint);
            TensorDataset test = FashionMnist.loadDirectory(Path.of(args.get("_data").getAsString())).test();
            int n = Math.min(limit, test.size());
            Tensor raw = test.inputs().narrow(0, 0, n).contiguous();
            double[][] proba = new double[n][];
            model.eval();
            try (var ignored = Ember.noGrad()) {
                for (int from = 0; from < n; from += 256) {
                    int m = Math.min(256, n - from);
                    double[] p = model.forward(FashionMnist.normalize(raw.narrow(0, from, m))).softmax(1).toDoubleArray();
                    for (int i = 0; i < m; i++) proba[from + i] = Arrays.copyOfRange(p, i * 10, i * 10 + 10);
                }
            }
            float[] pix = raw.toFloatArray();
            float[][] shown = new float[n][];
            for (int i = 0; i < n; i++) shown[i] = Arrays.copyOfRange(pix, i * 784, i * 784 + 784);
            return new Scored(Arrays.copyOf(test.targets().toLongArray(), n), proba, FashionMnist.CLASSES, 28, shown, null);
        }
        if (!checkpoint.equals("model")) throw ApiError.badRequest("checkpoint: a classical run has only 'model'");
        ProbabilisticClassifier model = estimator(id);
        TableData data = TableData.load(args);
        int[] testRows = data.split(args.get("seed").getAsLong(), args.get("test_fraction").getAsDouble())[1];
        if (testRows.length > limit) testRows = Arrays.copyOf(testRows, limit);
        Tensor x = data.rows(testRows);
        double[] p = model.predictProba(x).toDoubleArray();
        long[] cls = model.classes();
        int k = data.classes().size(), n = testRows.length;
        double[][] proba = new double[n][k];
        for (int i = 0; i < n; i++) for (int c = 0; c < cls.length; c++) proba[i][(int) cls[c]] = p[i * cls.length + c];
        float[] xs = x.toFloatArray();
        int f = data.features().size();
        float[][] shown = new float[n][];
        for (int i = 0; i < n; i++) shown[i] = Arrays.copyOfRange(xs, i * f, i * f + f);
        return new Scored(data.labels(testRows), proba, data.classes(), data.imageSide(), shown, data.features());
    }

    static boolean isNetwork(JsonObject args) {
        String p = args.get("preset").getAsString();
        return p.equals("mlp") || p.equals("cnn");
    }

    private Module network(String id, JsonObject args, String checkpoint) {
        RunFiles f = store.files(id);
        Path file = switch (checkpoint) {
            case "model" -> f.model();
            case "best", "last" -> f.checkpoints().resolve(checkpoint + ".safetensors");
            default -> throw ApiError.badRequest("checkpoint: 'model', 'best' or 'last', got '" + checkpoint + "'");
        };
        if (!Files.exists(file)) throw ApiError.notFound("checkpoint: run '" + id + "' has no " + checkpoint + " weights yet");
        Map<String, Tensor> state = SafeTensors.read(file);
        if (state.keySet().stream().anyMatch(k -> k.startsWith("model."))) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            state.forEach((k, v) -> { if (k.startsWith("model.")) m.put(k.substring(6), v); });
            state = m;
        }
        Module model = args.get("preset").getAsString().equals("cnn") ? FashionMnistRun.cnn() : FashionMnistRun.mlp();
        model.loadStateDict(state);
        return model;
    }

    private ProbabilisticClassifier estimator(String id) {
        Path file = store.files(id).estimator();
        if (!Files.exists(file)) throw ApiError.notFound("checkpoint: run '" + id + "' has no fitted model yet");
        return ModelFile.load(file, ProbabilisticClassifier.class);
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    private static double logLoss(long[] y, double[][] proba) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) sum -= Math.log(Math.min(1 - 1e-15, Math.max(1e-15, proba[i][(int) y[i]])));
        return sum / y.length;
    }

    private static List<double[]> thin(double[] xs, double[] ys) {
        int n = xs.length;
        int step = Math.max(1, (int) Math.ceil(n / (double) MAX_CURVE_POINTS));
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < n; i += step) out.add(new double[] {xs[i], ys[i]});
        if ((n - 1) % step != 0) out.add(new double[] {xs[n - 1], ys[n - 1]});
        return out;
    }

    private static Map<String, Object> features(List<String> names, float[] v) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(names.size(), 12); i++) m.put(names.get(i), v[i]);
        return m;
    }
}
