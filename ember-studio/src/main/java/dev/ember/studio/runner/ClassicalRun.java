package dev.ember.studio.runner;

import com.google.gson.JsonObject;
import dev.ember.Tensor;
import dev.ember.metrics.Classification;
import dev.ember.ml.Criterion;
import dev.ember.ml.DecisionTreeClassifier;
import dev.ember.ml.ModelFile;
import dev.ember.ml.ProbabilisticClassifier;
import dev.ember.ml.LogisticRegression;
import dev.ember.ml.RandomForestClassifier;
import dev.ember.studio.Json;
import dev.ember.studio.runs.RunFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * Fits a classical estimator on the seeded training rows, scores it on the held-out rows, and writes the model
 * ({@code model.json}) and one epoch record in the run log's format, so the studio's views treat it as a run.
 */
public final class ClassicalRun {
    private ClassicalRun() {}

    /** The estimator the arguments describe, unfitted. */
    public static ProbabilisticClassifier estimator(JsonObject args) {
        int seed = (int) args.get("seed").getAsLong();
        return switch (args.get("preset").getAsString()) {
            case "logistic" -> new LogisticRegression(args.get("c").getAsDouble(), args.get("max_iter").getAsInt(), 1e-6);
            case "tree" -> new DecisionTreeClassifier(args.get("criterion").getAsString().equals("entropy") ? Criterion.ENTROPY : Criterion.GINI,
                    args.get("max_depth").getAsInt(), args.get("min_samples_split").getAsInt(), 1, seed);
            case "forest" -> new RandomForestClassifier(args.get("n_estimators").getAsInt(), Criterion.GINI, args.get("max_depth").getAsInt(),
                    -1, true, seed);
            default -> throw new IllegalArgumentException("studio: '" + args.get("preset").getAsString() + "' is not a classical preset");
        };
    }

    static JsonObject run(JsonObject args, RunFiles files) {
        TableData data = TableData.load(args);
        int[][] split = data.split(args.get("seed").getAsLong(), args.get("test_fraction").getAsDouble());
        Tensor xTrain = data.rows(split[0]), xTest = data.rows(split[1]);
        long[] yTrain = data.labels(split[0]), yTest = data.labels(split[1]);
        System.out.printf("data: %s, %d rows x %d features, %d classes; %d train / %d test%n", args.get("dataset").getAsString(),
                data.y().length, data.features().size(), data.classes().size(), yTrain.length, yTest.length);
        ProbabilisticClassifier model = estimator(args);
        long t0 = System.nanoTime();
        model.fit(xTrain, Tensor.of(yTrain, yTrain.length));
        double secs = (System.nanoTime() - t0) / 1e9;
        double trainAcc = Classification.accuracy(yTrain, model.predict(xTrain).toLongArray());
        double testAcc = Classification.accuracy(yTest, model.predict(xTest).toLongArray());
        double testLoss = logLoss(yTest, model.predictProba(xTest), model);
        double trainLoss = logLoss(yTrain, model.predictProba(xTrain), model);
        ModelFile.save(model, files.estimator());
        JsonObject rec = new JsonObject();
        rec.addProperty("type", "epoch");
        rec.addProperty("epoch", 0);
        rec.addProperty("step", 1);
        rec.add("loss", Json.number(trainLoss));
        rec.add("lr", null);
        rec.addProperty("samples_per_sec", yTrain.length / Math.max(secs, 1e-9));
        rec.addProperty("elapsed", secs);
        JsonObject m = new JsonObject();
        m.addProperty("train_accuracy", trainAcc);
        m.addProperty("test_accuracy", testAcc);
        m.add("test_loss", Json.number(testLoss));
        rec.add("metrics", m);
        try (BufferedWriter w = Files.newBufferedWriter(files.log(), StandardCharsets.UTF_8)) {
            w.write(Json.GSON.toJson(rec));
            w.newLine();
        } catch (IOException ex) {
            throw new UncheckedIOException("studio: cannot write " + files.log() + ": " + ex.getMessage(), ex);
        }
        System.out.printf("fitted in %.2f s: train accuracy %.4f, test accuracy %.4f, test log loss %.4f%n", secs, trainAcc, testAcc, testLoss);
        JsonObject out = new JsonObject();
        out.addProperty("test_accuracy", testAcc);
        out.add("test_loss", Json.number(testLoss));
        out.addProperty("train_accuracy", trainAcc);
        out.addProperty("fit_seconds", secs);
        return out;
    }

    /** Mean negative log-probability of the true class (probabilities clipped at 1e-15, as scikit-learn). */
    static double logLoss(long[] y, Tensor proba, ProbabilisticClassifier model) {
        long[] classes = model.classes();
        double[] p = proba.toDoubleArray();
        int k = classes.length;
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            int col = -1;
            for (int c = 0; c < k; c++) if (classes[c] == y[i]) col = c;
            double pi = col < 0 ? 0 : p[i * k + col];
            sum -= Math.log(Math.min(1 - 1e-15, Math.max(1e-15, pi)));
        }
        return sum / y.length;
    }
}
