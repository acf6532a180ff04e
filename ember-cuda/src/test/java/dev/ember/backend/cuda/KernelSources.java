package dev.ember.backend.cuda;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find the CUDA kernel sources: {@code kernels/cuda} under the repository root or a GPU bundle. */
final class KernelSources {
    private KernelSources() {}

    /** {@code kernels/cuda} relative to the working directory (a bundle), else to its parent (a Maven module). */
    static Path dir() {
        Path here = Path.of("kernels/cuda");
        return Files.isDirectory(here) ? here : Path.of("../kernels/cuda");
    }
}
