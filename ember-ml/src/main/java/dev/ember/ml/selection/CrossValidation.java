package dev.ember.ml.selection;

import dev.ember.Ember;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.Dataset;
import dev.ember.data.Example;
import dev.ember.data.Subset;
import dev.ember.data.split.Fold;
import dev.ember.data.split.KFold;
import dev.ember.data.split.StratifiedKFold;
import dev.ember.metrics.Metric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains and evaluates a model k times, each time testing on a different fold, as
 * scikit-learn's {@code cross_validate}; reports each metric's mean and standard deviation.
 */
public final class CrossValidation {
    private static final int EVAL_BATCH = 256;

    private CrossValidation() {}

    /** {@code k}-fold cross-validation over consecutive (unshuffled) folds. */
    public static CrossValidationResult crossValidate(ModelFactory modelFactory, Dataset<Example> dataset, int k, List<Metric> metrics) {
        return crossValidate(modelFactory, dataset, new KFold(k).split(dataset.size()), metrics);
    }

    /**
     * Cross-validation over given folds (from {@link KFold} or {@link StratifiedKFold}). Each
     * metric is reset before each fold and fed every test batch: {@code predict(inputs)} and targets.
     */
    public static CrossValidationResult crossValidate(ModelFactory modelFactory, Dataset<Example> dataset, List<Fold> folds, List<Metric> metrics) {
        if (metrics.isEmpty()) throw new IllegalArgumentException("crossValidate: no metrics given");
        Map<String, double[]> perFold = new LinkedHashMap<>();
        for (Metric m : metrics) {
            if (perFold.put(m.name(), new double[folds.size()]) != null)
                throw new IllegalArgumentException("crossValidate: two metrics are named '" + m.name() + "'");
        }
        for (int f = 0; f < folds.size(); f++) {
            Fold fold = folds.get(f);
            Predictor model = modelFactory.fit(Subset.of(dataset, fold.train()));
            for (Metric m : metrics) m.reset();
            DataLoader test = DataLoader.builder(Subset.of(dataset, fold.test())).batchSize(EVAL_BATCH).build();
            try (var ignored = Ember.noGrad()) {
                for (Batch b : test) {
                    var output = model.predict(b.inputs());
                    for (Metric m : metrics) m.update(output, b.targets());
                }
            }
            for (Metric m : metrics) perFold.get(m.name())[f] = m.compute();
        }
        return new CrossValidationResult(perFold);
    }
}
