package dev.ember.cli;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.backend.Backends;
import picocli.CommandLine.Command;

/** {@code ./ember demo}: the main job. */
@Command(name = "demo", description = "Run the main demo.")
public final class DemoCommand implements Runnable {
    @Override
    public void run() {
        Device dev = Device.best();
        System.out.println("Ember " + Ember.VERSION + " on " + Backends.of(dev).name());
        System.out.println("device: " + dev + " — " + Backends.bestReason());
        Ember.manualSeed(42);
        Tensor a = Tensor.randn(3, 4).to(dev);
        Tensor b = Tensor.randn(4, 2).to(dev);
        System.out.println("a @ b =\n" + a.matmul(b));
    }
}
