package dev.ember.train;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Run in a separate JVM by {@link ResumeTest}: writes {@code <dir>/last.safetensors} over and over
 * (version k holds a 20 MB tensor filled with k and the scalar k) until it is killed.
 */
public final class CheckpointWriterMain {
    private CheckpointWriterMain() {}

    public static void main(String[] args) {
        Path file = Path.of(args[0]).resolve("last.safetensors");
        for (int k = 0; ; k++) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("k", Tensor.scalar(k, DType.INT64));
            state.put("x", Tensor.full(k, DType.FLOAT32, 5_000_000));
            SafeTensors.write(file, state);
            if (k == 0) System.out.println("written");
        }
    }
}
