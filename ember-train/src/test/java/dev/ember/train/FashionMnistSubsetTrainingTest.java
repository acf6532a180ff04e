package dev.ember.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.metrics.Accuracy;
import dev.ember.nn.Conv2d;
import dev.ember.nn.Flatten;
import dev.ember.nn.Linear;
import dev.ember.nn.CrossEntropyLoss;
import dev.ember.nn.MaxPool2d;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.optim.Adam;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** Real data end to end: a small CNN learns the committed 2,000-image subset to >= 80% test accuracy. */
class FashionMnistSubsetTrainingTest {
    @Test
    void smallCnnReachesEightyPercentOnTheEmbeddedSubset() {
        Ember.manualSeed(42);
        var data = FashionMnist.loadEmbedded();
        var train = new TensorDataset(FashionMnist.normalize(data.train().inputs()), data.train().targets());
        var test = new TensorDataset(FashionMnist.normalize(data.test().inputs()), data.test().targets());
        Module model = new Sequential(new Conv2d(1, 8, 3, 1, 1), new ReLU(), new MaxPool2d(2), new Conv2d(8, 16, 3, 1, 1), new ReLU(),
                new MaxPool2d(2), new Flatten(), new Linear(16 * 7 * 7, 10));
        Adam opt = new Adam(model.parameters(), 3e-3);
        Trainer t = Trainer.builder(model, new CrossEntropyLoss(), opt,
                        DataLoader.builder(train).batchSize(32).shuffle(true).seed(1).build())
                .metric(new Accuracy()).output(new PrintStream(new ByteArrayOutputStream()), false).build();
        t.fit(4);
        double acc = t.evaluate(DataLoader.builder(test).batchSize(250).build(), "test_").get("test_accuracy");
        assertTrue(acc >= 0.80, "test accuracy " + acc);
    }
}
