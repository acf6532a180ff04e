package dev.ember.train;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.TensorDataset;
import dev.ember.data.datasets.FashionMnist;
import dev.ember.nn.Module;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import java.util.Locale;

/**
 * Issue #20's measurement, run by hand (not a unit test: minutes of training): the demo CNN
 * ({@link FashionMnistRun#cnn()}) trained on Fashion-MNIST in float32 and under {@code Ember.autocast(BFLOAT16)}
 * with the same seed, data order and optimizer, then evaluated on the test set.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp (ember-train's test class path) dev.ember.train.AutocastCnnComparison [epochs] [trainImages]
 * </pre>
 * Prints, per run, test accuracy, test loss and training seconds.
 */
public final class AutocastCnnComparison {
    private AutocastCnnComparison() {}

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        FashionMnist.Splits data = FashionMnist.load(null, false);
        Tensor trainX = FashionMnist.normalize(data.train().inputs()), trainY = data.train().targets();
        if (limit > 0) {
            trainX = trainX.narrow(0, 0, limit).contiguous();
            trainY = trainY.narrow(0, 0, limit).contiguous();
        }
        Tensor testX = FashionMnist.normalize(data.test().inputs()), testY = data.test().targets();
        System.out.printf(Locale.ROOT, "data: %s, %d train / %d test images, %d epochs, batch 64, Adam 1e-3, %d threads%n",
                data.source(), trainX.size(0), testX.size(0), epochs, Ember.numThreads());
        for (DType autocast : new DType[]{null, DType.BFLOAT16}) {
            Ember.manualSeed(42);
            Module model = FashionMnistRun.cnn();
            Adam opt = new Adam(model.parameters(), 1e-3);
            DataLoader loader = DataLoader.builder(new TensorDataset(trainX, trainY)).batchSize(64).shuffle(true).seed(42).build();
            long t0 = System.nanoTime();
            double lastLoss = 0;
            for (int epoch = 0; epoch < epochs; epoch++) {
                loader.setNextEpoch(epoch);
                for (Batch b : loader) {
                    Tensor loss;
                    try (var ac = autocast == null ? null : Ember.autocast(autocast)) {
                        loss = F.crossEntropy(model.forward(b.inputs()), b.targets());
                    }
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    lastLoss = loss.item();
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            model.eval();
            long correct = 0;
            double lossSum = 0;
            try (var ng = Ember.noGrad(); var ac = autocast == null ? null : Ember.autocast(autocast)) {
                for (int i = 0; i < testX.size(0); i += 500) {
                    int n = (int) Math.min(500, testX.size(0) - i);
                    Tensor logits = model.forward(testX.narrow(0, i, n));
                    Tensor y = testY.narrow(0, i, n);
                    lossSum += F.crossEntropy(logits, y).item() * n;
                    correct += logits.argmax(1).eq(y).to(DType.INT64).sum().itemLong();
                }
            }
            System.out.printf(Locale.ROOT, "%-8s test accuracy %.2f%%, test loss %.4f, last batch loss %.4f, %.0f s training (%.0f images/s)%n",
                    autocast == null ? "float32" : "bf16-ac", 100.0 * correct / testX.size(0), lossSum / testX.size(0), lastLoss, secs,
                    epochs * trainX.size(0) / secs);
        }
    }
}
