package dev.ember.cli;

import dev.ember.Device;
import dev.ember.backend.Backends;
import dev.ember.distributed.ProcessGroup;
import dev.ember.distributed.ProcessGroups;
import dev.ember.train.FashionMnistRun;
import dev.ember.train.NonFiniteLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./ember train}: trains an MLP or the CNN on Fashion-MNIST, or a GPT on text ({@code --model gpt}, see
 * {@link GptOptions}), with the given hyper-parameters, or continues a run from a checkpoint ({@code --resume}). Every option is checked before any data is
 * loaded; a run whose loss becomes NaN or infinite stops with a message naming the step and exit code 1,
 * unless {@code --on-nonfinite skip}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION,
        description = "Train an MLP or a CNN on Fashion-MNIST, or a GPT language model on text (--model gpt).")
public final class TrainCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "mlp, cnn or gpt (default ${DEFAULT-VALUE}).", defaultValue = "cnn")
    String model;

    @Mixin
    GptOptions gpt;

    @Option(names = "--epochs", description = "Most epochs, counting those of a resumed run (at least 1; default ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int epochs;

    @Option(names = "--batch-size", description = "Batch size (at least 1; default ${DEFAULT-VALUE}).", defaultValue = "128")
    int batchSize;

    @Option(names = "--lr", description = "Adam learning rate (a finite number >= 0; default ${DEFAULT-VALUE}).", defaultValue = "0.001")
    double lr;

    @Option(names = "--device", description = "cpu, cuda[:i], opencl[:i] or auto (default ${DEFAULT-VALUE}).", defaultValue = "auto")
    String device;

    @Option(names = "--data", arity = "1..*", paramLabel = "PATH", description = "Directory holding the Fashion-MNIST files; for gpt, "
            + "the text files (default: Debian's fortunes, else a built-in sample).")
    List<Path> data;

    @Option(names = "--out", description = "Output directory (default runs/<model>).")
    Path out;

    @Option(names = "--patience", description = "Early-stopping patience in epochs (>= 0; default ${DEFAULT-VALUE}).", defaultValue = "3")
    int patience;

    @Option(names = "--download", description = "Download the full set from the official source if it is not found.")
    boolean download;

    @Option(names = "--seed", description = "Random seed (default ${DEFAULT-VALUE}); use the interrupted run's seed with --resume.",
            defaultValue = "42")
    long seed;

    @Option(names = "--train-limit", description = "Train on only this many images (0: all; for quick timing).", defaultValue = "0")
    int trainLimit;

    @Option(names = "--resume", paramLabel = "CHECKPOINT",
            description = "Continue the run saved in CHECKPOINT (<out>/checkpoints/last.safetensors or best.safetensors) up to --epochs.")
    Path resume;

    @Option(names = "--on-nonfinite", paramLabel = "stop|skip",
            description = "When a batch's loss is NaN or infinite: stop with an error (default) or skip the batch.", defaultValue = "stop")
    NonFiniteLoss onNonFinite;

    @Override
    public void run() {
        if (model.equalsIgnoreCase("gpt")) {
            gpt.run(this, spec);
            return;
        }
        if (data != null && data.size() > 1) throw bad("--data takes one directory for mlp and cnn, got " + data.size() + " paths");
        Path dataDir = data == null ? null : data.getFirst();
        GptOptions.refuseOutsideGpt(this, spec);
        FashionMnistRun.Model m = switch (model.toLowerCase(Locale.ROOT)) {
            case "mlp" -> FashionMnistRun.Model.MLP;
            case "cnn" -> FashionMnistRun.Model.CNN;
            default -> throw bad("--model must be mlp, cnn or gpt, got '" + model + "'");
        };
        if (epochs < 1) throw bad("--epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw bad("--batch-size must be at least 1, got " + batchSize);
        if (!(lr >= 0 && lr < Double.POSITIVE_INFINITY)) throw bad("--lr must be a finite number >= 0, got " + lr);
        if (patience < 0) throw bad("--patience must be >= 0, got " + patience);
        if (trainLimit < 0) throw bad("--train-limit must be >= 0 (0: all images), got " + trainLimit);
        var mixed = gpt.autocastDType(this);
        checkDirectory("--data", dataDir);
        if (resume != null && !Files.isRegularFile(resume)) throw bad("--resume: no such file: " + resume);
        Path dir = out != null ? out : Path.of("runs", model.toLowerCase(Locale.ROOT));
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw bad("--out: " + dir + " is a file, not a directory");
        Device dev = device(spec, device);
        var options = new FashionMnistRun.Options(m, epochs, batchSize, lr, dev, dataDir, dir, 5000, patience, download, seed,
                trainLimit, resume, onNonFinite, mixed);
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

    ParameterException bad(String message) { return new ParameterException(spec.commandLine(), message); }

    private void checkDirectory(String option, Path dir) {
        if (dir != null && !Files.isDirectory(dir)) throw bad(option + ": not a directory: " + dir);
    }

    /** The device named by {@code --device}, refused here if unknown or absent on this machine. */
    static Device device(CommandSpec spec, String name) {
        try {
            Device d = Device.parse(name);
            Backends.of(d); // throws, saying why, when the device is absent
            return d;
        } catch (IllegalArgumentException ex) {
            throw new ParameterException(spec.commandLine(), "--device " + name + ": " + ex.getMessage());
        }
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
