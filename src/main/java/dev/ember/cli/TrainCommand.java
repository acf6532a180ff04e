package dev.ember.cli;

import dev.ember.Device;
import dev.ember.distributed.ProcessGroup;
import dev.ember.distributed.ProcessGroups;
import dev.ember.train.FashionMnistRun;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./ember train}: trains an MLP or the CNN on Fashion-MNIST with the given hyper-parameters. */
@Command(name = "train", description = "Train an MLP or a CNN on Fashion-MNIST.")
public final class TrainCommand implements Runnable {
    @Option(names = "--model", description = "mlp or cnn (default ${DEFAULT-VALUE}).", defaultValue = "cnn")
    String model;

    @Option(names = "--epochs", description = "Most epochs (default ${DEFAULT-VALUE}).", defaultValue = "10")
    int epochs;

    @Option(names = "--batch-size", description = "Batch size (default ${DEFAULT-VALUE}).", defaultValue = "128")
    int batchSize;

    @Option(names = "--lr", description = "Adam learning rate (default ${DEFAULT-VALUE}).", defaultValue = "0.001")
    double lr;

    @Option(names = "--device", description = "cpu, cuda, opencl or auto (default ${DEFAULT-VALUE}).", defaultValue = "auto")
    String device;

    @Option(names = "--data", description = "Directory holding the Fashion-MNIST files.")
    Path data;

    @Option(names = "--out", description = "Output directory (default runs/<model>).")
    Path out;

    @Option(names = "--patience", description = "Early-stopping patience in epochs (default ${DEFAULT-VALUE}).", defaultValue = "3")
    int patience;

    @Option(names = "--download", description = "Download the full set from the official source if it is not found.")
    boolean download;

    @Option(names = "--seed", description = "Random seed (default ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(names = "--train-limit", description = "Train on only this many images (0: all; for quick timing).", defaultValue = "0")
    int trainLimit;

    @Override
    public void run() {
        FashionMnistRun.Model m = switch (model.toLowerCase()) {
            case "mlp" -> FashionMnistRun.Model.MLP;
            case "cnn" -> FashionMnistRun.Model.CNN;
            default -> throw new IllegalArgumentException("train: --model must be mlp or cnn, got '" + model + "'");
        };
        Device dev = device.equals("auto") ? Device.best() : Device.parse(device);
        Path dir = out != null ? out : Path.of("runs", model.toLowerCase());
        var options = new FashionMnistRun.Options(m, epochs, batchSize, lr, dev, data, dir, 5000, patience, download, seed, trainLimit);
        if (ProcessGroups.launchedWorldSize() == 1) {
            report(FashionMnistRun.run(options, System.out));
            return;
        }
        // One rank of `./ember launch` (mpirun): train data-parallel; rank 0 reports.
        ProcessGroup group = ProcessGroups.init();
        try {
            var r = FashionMnistRun.run(options, System.out, group);
            if (group.rank() == 0) report(r);
        } catch (RuntimeException e) {
            // A collective that timed out leaves the communication thread inside MPI: exit at once, so
            // mpirun sees the failure and ends the other ranks, instead of finalising (which would wait).
            System.err.println("ember: rank " + group.rank() + " of " + group.worldSize() + ": " + e.getMessage());
            if (System.getenv("EMBER_DEBUG") != null) e.printStackTrace();
            System.err.flush();
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }
        group.close();
    }

    static void report(FashionMnistRun.Result r) {
        System.out.printf("test accuracy: %.2f%% (test loss %.4f) after %d epochs, %.0f s of training, %.0f training samples/s%s%n",
                100 * r.testAccuracy(), r.testLoss(), r.epochs(), r.trainSeconds(), r.samplesPerSecond(),
                r.embeddedSubset() ? " [embedded subset]" : "");
        System.out.println("model:  " + r.modelPath());
        System.out.println("log:    " + r.logPath());
        System.out.println("plot:   " + r.plotPath());
    }
}
