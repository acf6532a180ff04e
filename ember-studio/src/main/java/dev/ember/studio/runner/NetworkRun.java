package dev.ember.studio.runner;

import com.google.gson.JsonObject;
import dev.ember.Device;
import dev.ember.studio.runs.RunFiles;
import dev.ember.train.FashionMnistRun;
import dev.ember.train.NonFiniteLoss;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
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

        Device device = Device.parse(args.get("device").getAsString());
        FashionMnistRun.Model model = args.get("preset").getAsString().equals("cnn") ? FashionMnistRun.Model.CNN : FashionMnistRun.Model.MLP;
        Path resume = args.has("_resume") ? Path.of(args.get("_resume").getAsString()) : null;
        var options = new FashionMnistRun.Options(model, epochs, batch, args.get("lr").getAsDouble(), device, data, files.dir(),
                5000, args.get("patience").getAsInt(), false, args.get("seed").getAsLong(), limit, resume, NonFiniteLoss.STOP);
        FashionMnistRun.Result r = FashionMnistRun.run(options, System.out);
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
