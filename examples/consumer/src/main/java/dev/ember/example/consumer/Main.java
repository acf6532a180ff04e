package dev.ember.example.consumer;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.Linear;
import dev.ember.nn.Module;
import dev.ember.nn.ReLU;
import dev.ember.nn.Sequential;
import dev.ember.nn.functional.F;
import dev.ember.optim.Adam;
import dev.ember.optim.Optimizer;

/**
 * Trains a small MLP to fit {@code y = sin(3 x0) * x1} with the public API, as the README shows it, and exits
 * non-zero unless the loss falls by at least 10x. It runs on the module path with ember-core and ember-nn only.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Ember.manualSeed(7);
        System.out.println("device: " + Device.best());
        Tensor x = Tensor.rand(512, 2).mul(2.0).sub(1.0);
        Tensor y = x.select(1, 0).mul(3.0).sin().mul(x.select(1, 1)).unsqueeze(1);

        Module model = new Sequential(new Linear(2, 64), new ReLU(), new Linear(64, 64), new ReLU(), new Linear(64, 1));
        Optimizer opt = new Adam(model.parameters(), 1e-2);
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 400; step++) {
            Tensor loss = F.mseLoss(model.forward(x), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        System.out.printf("mse: %.5f -> %.5f%n", first, last);
        if (!(last < first / 10)) {
            System.err.println("consumer: the loss did not fall tenfold");
            System.exit(1);
        }
    }
}
