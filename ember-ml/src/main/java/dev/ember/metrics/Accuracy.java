package dev.ember.metrics;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.autograd.GradMode;

/**
 * Streaming top-1 accuracy. {@code output} is either class scores {@code [batch, classes]}
 * (the arg-max is the prediction) or predicted labels {@code [batch]}; {@code target} is
 * labels {@code [batch]}.
 */
public final class Accuracy implements Metric {
    private long correct, total;

    @Override
    public String name() { return "accuracy"; }

    @Override
    public void update(Tensor output, Tensor target) {
        try (var ignored = GradMode.set(false)) {
            Tensor predicted = output.dim() == 2 ? output.argmax(1) : output.to(DType.INT64);
            if (predicted.numel() != target.numel())
                throw new IllegalArgumentException("accuracy: " + predicted.numel() + " predictions for " + target.numel() + " targets");
            correct += predicted.eq(target.to(DType.INT64).reshape(predicted.shape())).to(DType.INT64).sum().itemLong();
            total += target.numel();
        }
    }

    @Override
    public double compute() { return total == 0 ? Double.NaN : (double) correct / total; }

    @Override
    public void reset() { correct = 0; total = 0; }
}
