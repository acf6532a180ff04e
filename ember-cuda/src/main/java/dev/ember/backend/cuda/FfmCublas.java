package dev.ember.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds an installed cuBLAS to bind through {@code java.lang.foreign}: {@code EMBER_CUBLAS_PATH}
 * (a file or a directory) first, then the loader's search path and the usual CUDA directories,
 * newest major version first.
 */
final class FfmCublas {
    private FfmCublas() {}

    /** A loaded cuBLAS library. */
    record Library(String name, SymbolLookup lookup) {}

    /** Sonames tried, newest first; 12 last, since JCublas2 normally serves it. */
    static final List<String> SONAMES = List.of("libcublas.so.16", "libcublas.so.15", "libcublas.so.14", "libcublas.so.13",
            "libcublas.so.12", "libcublas.so");

    static final List<String> DIRECTORIES = List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib",
            "/usr/lib/x86_64-linux-gnu", "/usr/local/lib");

    /**
     * The first cuBLAS that opens.
     *
     * @throws IllegalArgumentException listing what was tried when none opens
     */
    static Library find() {
        List<String> tried = new ArrayList<>();
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("EMBER_CUBLAS_PATH");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env.trim());
            if (Files.isDirectory(p)) for (String s : SONAMES) candidates.add(p.resolve(s));
            else candidates.add(p);
        }
        for (Path c : candidates) {
            if (!Files.exists(c)) { tried.add(c + " (missing)"); continue; }
            try {
                return new Library(c.toString(), SymbolLookup.libraryLookup(c, Arena.global()));
            } catch (IllegalArgumentException e) {
                tried.add(c + " (" + e.getMessage() + ")");
            }
        }
        for (String soname : SONAMES) {
            try {
                return new Library(soname, SymbolLookup.libraryLookup(soname, Arena.global()));
            } catch (IllegalArgumentException e) {
                // not on the loader's path; try the CUDA directories below
            }
            for (String dir : DIRECTORIES) {
                Path p = Path.of(dir, soname);
                if (!Files.exists(p)) continue;
                try {
                    return new Library(p.toString(), SymbolLookup.libraryLookup(p, Arena.global()));
                } catch (IllegalArgumentException e) {
                    tried.add(p + " (" + e.getMessage() + ")");
                }
            }
        }
        tried.add(String.join("/", SONAMES) + " not found on the loader path or in " + String.join(", ", DIRECTORIES));
        throw new IllegalArgumentException("no cuBLAS to bind: " + String.join("; ", tried));
    }
}
