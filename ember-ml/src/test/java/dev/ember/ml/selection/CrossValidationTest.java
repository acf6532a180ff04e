package dev.ember.ml.selection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.data.TensorDataset;
import dev.ember.metrics.Accuracy;
import dev.ember.metrics.Metric;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrossValidationTest {
    private static TensorDataset labelled(int[] labels) {
        long[] y = Arrays.stream(labels).asLongStream().toArray();
        float[] x = new float[labels.length];
        for (int i = 0; i < x.length; i++) x[i] = i;
        return new TensorDataset(Tensor.of(x, labels.length, 1), Tensor.of(y, labels.length));
    }

    @Test
    void crossValidateReportsMeanAndStdOverFolds() {
        // labels in blocks so each unshuffled fold has a different majority: fold f = indices [5f, 5f+5)
        int[] labels = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0};
        TensorDataset data = labelled(labels);
        // a majority-class model: predicts the training set's most common label
        ModelFactory majority = train -> {
            long ones = 0;
            for (int i = 0; i < train.size(); i++) ones += train.get(i).target().itemLong();
            long label = ones * 2 > train.size() ? 1 : 0;
            return inputs -> Tensor.full(label, DType.INT64, inputs.size(0));
        };
        CrossValidationResult r = CrossValidation.crossValidate(majority, data, 4, List.<Metric>of(new Accuracy()));
        // independent count: fold accuracy = share of the fold's labels equal to the majority of the other 15
        double[] expected = new double[4];
        for (int f = 0; f < 4; f++) {
            int ones = 0;
            for (int i = 0; i < 20; i++) if (i / 5 != f) ones += labels[i];
            int majorityLabel = ones * 2 > 15 ? 1 : 0;
            int hit = 0;
            for (int i = 5 * f; i < 5 * f + 5; i++) if (labels[i] == majorityLabel) hit++;
            expected[f] = hit / 5.0;
        }
        assertArrayEquals(expected, r.values("accuracy"), 1e-12);
        double mean = Arrays.stream(expected).average().getAsDouble();
        double std = Math.sqrt(Arrays.stream(expected).map(v -> (v - mean) * (v - mean)).sum() / 4);
        assertEquals(mean, r.mean("accuracy"), 1e-12);
        assertEquals(std, r.std("accuracy"), 1e-12);
        assertTrue(std > 0, "folds differ, so the check of std is not vacuous");
    }
}
