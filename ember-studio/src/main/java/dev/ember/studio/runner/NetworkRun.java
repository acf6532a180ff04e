package dev.ember.studio.runner;

import com.google.gson.JsonObject;
import dev.ember.Device;
import dev.ember.studio.runs.RunFiles;
import dev.ember.train.FashionMnistRun;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Trains an MLP or the CNN exactly as {@code ./ember train} does: {@link FashionMnistRun#run} with the same
 * options, the run directory as {@code --out}, and a validation split of 5,000 images.
 */
final class NetworkRun {
    private NetworkRun() {}

    static JsonObject run(JsonObject args, RunFiles files, Consumer<JsonObject> planned) {
        Path data = Path.of(args.get("_data").getAsString());
        int batch = args.get("batch_size").getAsInt();
        int epochs = args.get("epochs").getAsInt();
        int limit = args.get("train_limit").getAsInt();
        int n = trainCount(data);
        int val = Math.min(5000, n / 5);
        int train = limit > 0 ? Math.min(n - val, limit) : n - val;
        int steps = (train + batch - 1) / batch;
        JsonObject plan = new JsonObject();
        plan.addProperty("epochs", epochs);
        plan.addProperty("train_examples", train);
        plan.addProperty("steps_per_epoch", steps);
        plan.addProperty("total_steps", (long) steps * epochs);
        planned.accept(plan);

        String dev = args.get("device").getAsString();
        Device device = dev.equals("auto") ? Device.best() : Device.parse(dev);
        FashionMnistRun.Model model = args.get("preset").getAsString().equals("cnn") ? FashionMnistRun.Model.CNN : FashionMnistRun.Model.MLP;
        Path resume = args.has("_resume") ? Path.of(args.get("_resume").getAsString()) : null;
        Object options = options(model, epochs, batch, args.get("lr").getAsDouble(), device, data, files.dir(),
                args.get("patience").getAsInt(), args.get("seed").getAsLong(), limit, resume);
        FashionMnistRun.Result r = FashionMnistRun.run((FashionMnistRun.Options) options, System.out);
        JsonObject out = new JsonObject();
        out.addProperty("test_accuracy", r.testAccuracy());
        out.addProperty("test_loss", r.testLoss());
        out.addProperty("epochs", r.epochs());
        out.addProperty("train_seconds", r.trainSeconds());
        out.addProperty("samples_per_sec", r.samplesPerSecond());
        out.addProperty("data", r.dataSource());
        out.addProperty("device", device.toString());
        return out;
    }

    /**
     * {@link FashionMnistRun.Options} built by component name, so this works both before and after the training
     * hardening adds {@code resume} and {@code onNonFinite} (a resume without that component is refused).
     */
    static Object options(FashionMnistRun.Model model, int epochs, int batch, double lr, Device device, Path data, Path out,
                          int patience, long seed, int trainLimit, Path resume) {
        RecordComponent[] comps = FashionMnistRun.Options.class.getRecordComponents();
        Object[] values = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        boolean resumable = false;
        for (int i = 0; i < comps.length; i++) {
            types[i] = comps[i].getType();
            values[i] = switch (comps[i].getName()) {
                case "model" -> model;
                case "epochs" -> epochs;
                case "batchSize" -> batch;
                case "lr" -> lr;
                case "device" -> device;
                case "dataDir" -> data;
                case "outDir" -> out;
                case "validationSize" -> 5000;
                case "patience" -> patience;
                case "download" -> false;
                case "seed" -> seed;
                case "trainLimit" -> trainLimit;
                case "resume" -> {
                    resumable = true;
                    yield resume;
                }
                default -> types[i].isEnum() ? types[i].getEnumConstants()[0] : null; // onNonFinite: its first policy, STOP
            };
        }
        if (resume != null && !resumable)
            throw new IllegalStateException("resume: this build's FashionMnistRun cannot resume yet (it needs ./ember train --resume)");
        try {
            Constructor<?> c = FashionMnistRun.Options.class.getDeclaredConstructor(types);
            return c.newInstance(values);
        } catch (java.lang.reflect.InvocationTargetException ex) {
            throw ex.getCause() instanceof RuntimeException re ? re : new IllegalStateException(ex.getCause());
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("studio: cannot build FashionMnistRun.Options: " + ex, ex);
        }
    }

    /** The number of training labels, from the IDX header of {@code train-labels-idx1-ubyte(.gz)}. */
    static int trainCount(Path dir) {
        Path plain = dir.resolve("train-labels-idx1-ubyte"), gz = dir.resolve("train-labels-idx1-ubyte.gz");
        try (InputStream raw = Files.newInputStream(Files.exists(plain) ? plain : gz);
             DataInputStream in = new DataInputStream(Files.exists(plain) ? raw : new GZIPInputStream(raw))) {
            int magic = in.readInt();
            if (magic != 0x801) throw new IllegalArgumentException("studio: " + dir + ": train labels have magic " + magic + ", expected 2049");
            return in.readInt();
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException("studio: cannot read the labels in " + dir + ": " + ex.getMessage(), ex);
        }
    }
}
