package dev.ember.bench;

import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads a safetensors file with {@link SafeTensors#read} and prints the time and what it read, for
 * {@code benchmarks/memory/safetensors_load.py} (which measures peak RSS around it and runs PyTorch's side).
 */
public final class SafeTensorsLoad {
    private SafeTensorsLoad() {}

    /** Entry point: {@code FILE}. */
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        Map<String, Tensor> tensors = SafeTensors.read(Path.of(args[0]));
        double secs = (System.nanoTime() - t0) / 1e9;
        long numel = 0;
        double probe = 0;
        for (Tensor t : tensors.values()) {
            numel += t.numel();
            probe += t.reshape(-1).narrow(0, 0, 1).item(); // the data is really there
        }
        System.out.printf("ember: %d tensors, %d elements in %.3f s (probe %.6f)%n", tensors.size(), numel, secs, probe);
    }
}
