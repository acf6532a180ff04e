package dev.ember.cli;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.backend.Backends;
import dev.ember.train.FashionMnistRun;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./ember demo}: the main job. Trains the CNN on Fashion-MNIST on the best device with
 * progress, validation, early stopping and checkpoints, then prints the test accuracy and where
 * the model, the run log and the curve plot were written.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION,
        description = "Train a CNN on Fashion-MNIST (the main demo) and report its test accuracy.")
public final class DemoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--epochs", description = "Most epochs to train (at least 1; early stopping may end sooner; default ${DEFAULT-VALUE}).",
            defaultValue = "15")
    int epochs;

    @Option(names = "--data", description = "Directory holding the Fashion-MNIST files (default: search ~/.ember/datasets, Debian's package).")
    Path data;

    @Option(names = "--out", description = "Output directory (default ${DEFAULT-VALUE}).", defaultValue = "runs/demo")
    Path out;

    @Override
    public void run() {
        if (epochs < 1) throw new ParameterException(spec.commandLine(), "--epochs must be at least 1, got " + epochs);
        if (data != null && !java.nio.file.Files.isDirectory(data)) throw new ParameterException(spec.commandLine(), "--data: not a directory: " + data);
        Device dev = Device.best();
        System.out.println("Ember " + Ember.VERSION + " demo: Fashion-MNIST CNN on " + Backends.of(dev).name());
        System.out.println("device: " + dev + " - " + Backends.bestReason());
        var result = FashionMnistRun.run(new FashionMnistRun.Options(FashionMnistRun.Model.CNN, epochs, 128, 1e-3, dev, data, out,
                5000, 3, false, 42, 0), System.out);
        TrainCommand.report(result);
    }
}
