package dev.ember.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * NVRTC, CUDA's run-time compiler, bound through {@code java.lang.foreign}: whatever version is installed
 * ({@code libnvrtc.so.13}, {@code .12}) serves, with no binding jar and no native library of Ember's own to
 * unpack. (JCuda's {@code JNvrtc} links {@code libnvrtc.so.12} only, so it cannot load where CUDA 13 is
 * installed, and it would be a second way of reaching native code.) Looked up in {@code EMBER_NVRTC_PATH}
 * (a file or directory), the loader's path, then the usual CUDA directories, newest major version first.
 */
final class Nvrtc {
    /** Sonames tried, newest first. */
    static final List<String> SONAMES = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so");
    static final List<String> DIRECTORIES = List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib",
            "/usr/lib/x86_64-linux-gnu", "/usr/local/lib");

    private final String library;
    private final int major, minor;
    private final int[] archs;
    private final MethodHandle create, compile, logSize, log, ptxSize, ptx, destroy, errorString;

    private Nvrtc(String library, SymbolLookup lookup) throws Throwable {
        this.library = library;
        Linker linker = Linker.nativeLinker();
        MethodHandle version = linker.downcallHandle(symbol(lookup, "nvrtcVersion"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        create = linker.downcallHandle(symbol(lookup, "nvrtcCreateProgram"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        compile = linker.downcallHandle(symbol(lookup, "nvrtcCompileProgram"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        logSize = linker.downcallHandle(symbol(lookup, "nvrtcGetProgramLogSize"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        log = linker.downcallHandle(symbol(lookup, "nvrtcGetProgramLog"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        ptxSize = linker.downcallHandle(symbol(lookup, "nvrtcGetPTXSize"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        ptx = linker.downcallHandle(symbol(lookup, "nvrtcGetPTX"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        destroy = linker.downcallHandle(symbol(lookup, "nvrtcDestroyProgram"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorString = linker.downcallHandle(symbol(lookup, "nvrtcGetErrorString"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ma = a.allocate(JAVA_INT), mi = a.allocate(JAVA_INT);
            check("nvrtcVersion", (int) version.invokeExact(ma, mi));
            major = ma.get(JAVA_INT, 0);
            minor = mi.get(JAVA_INT, 0);
            archs = supportedArchs(linker, lookup, a);
        }
    }

    /** The architectures this NVRTC compiles for (75, 80, ...), or null when it is too old to say (before 11.2). */
    private static int[] supportedArchs(Linker linker, SymbolLookup lookup, Arena a) throws Throwable {
        Optional<MemorySegment> count = lookup.find("nvrtcGetNumSupportedArchs"), list = lookup.find("nvrtcGetSupportedArchs");
        if (count.isEmpty() || list.isEmpty()) return null;
        MemorySegment n = a.allocate(JAVA_INT);
        if ((int) linker.downcallHandle(count.get(), FunctionDescriptor.of(JAVA_INT, ADDRESS)).invokeExact(n) != 0) return null;
        MemorySegment out = a.allocate(JAVA_INT, Math.max(1, n.get(JAVA_INT, 0)));
        if ((int) linker.downcallHandle(list.get(), FunctionDescriptor.of(JAVA_INT, ADDRESS)).invokeExact(out) != 0) return null;
        return out.toArray(JAVA_INT);
    }

    /** The first NVRTC that opens and binds; empty, with what was tried in {@code tried}, when none does. */
    static Optional<Nvrtc> find(List<String> tried) {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("EMBER_NVRTC_PATH");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env.trim());
            if (Files.isDirectory(p)) for (String s : SONAMES) candidates.add(p.resolve(s));
            else candidates.add(p);
        }
        for (String soname : SONAMES) {
            Optional<Nvrtc> onPath = open(soname, () -> SymbolLookup.libraryLookup(soname, Arena.global()), null);
            if (onPath.isPresent()) return onPath;
            for (String dir : DIRECTORIES) candidates.add(Path.of(dir, soname));
        }
        for (Path c : candidates) {
            if (!Files.exists(c)) continue;
            Optional<Nvrtc> found = open(c.toString(), () -> SymbolLookup.libraryLookup(c, Arena.global()), tried);
            if (found.isPresent()) return found;
        }
        tried.add(String.join("/", SONAMES) + " not found on the loader path" + (env == null ? "" : ", in EMBER_NVRTC_PATH")
                + " or in " + String.join(", ", DIRECTORIES));
        return Optional.empty();
    }

    private interface Lookup { SymbolLookup open(); }

    private static Optional<Nvrtc> open(String name, Lookup lookup, List<String> tried) {
        try {
            return Optional.of(new Nvrtc(name, lookup.open()));
        } catch (Throwable t) {
            if (tried != null) tried.add(name + " (" + t.getMessage() + ")");
            return Optional.empty();
        }
    }

    /** The library bound, e.g. {@code libnvrtc.so.13}. */
    String library() { return library; }

    /** {@code "13.0"}. */
    String version() { return major + "." + minor; }

    /**
     * The virtual architecture to compile for on a device of compute capability {@code cc} (e.g. 90): the
     * device's own where this NVRTC supports it, else the newest it supports below it (the driver compiles
     * that PTX for the device); null when it supports none at or below.
     */
    String archFor(int cc) { return archFor(cc, archs); }

    /** {@link #archFor(int)} for an NVRTC that supports {@code archs} (null: unknown, so the device's own). */
    static String archFor(int cc, int[] archs) {
        if (archs == null) return "compute_" + cc;
        int best = -1;
        for (int a : archs) if (a <= cc && a > best) best = a;
        return best < 0 ? null : "compute_" + best;
    }

    /** The architectures this NVRTC supports, for messages. */
    String supported() { return archs == null ? "unknown" : Arrays.toString(archs); }

    /**
     * Compiles {@code source} to PTX for {@code arch} with {@code options}; a compile error throws an
     * {@link IllegalStateException} with NVRTC's log.
     */
    byte[] compile(String name, String source, String arch, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(ADDRESS);
            check("nvrtcCreateProgram", (int) create.invokeExact(prog, a.allocateFrom(source), a.allocateFrom(name + ".cu"), 0,
                    MemorySegment.NULL, MemorySegment.NULL));
            MemorySegment p = prog.get(ADDRESS, 0);
            try {
                List<String> all = new ArrayList<>();
                all.add("--gpu-architecture=" + arch);
                all.addAll(options);
                MemorySegment opts = a.allocate(ADDRESS, all.size());
                for (int i = 0; i < all.size(); i++) opts.setAtIndex(ADDRESS, i, a.allocateFrom(all.get(i)));
                int rc = (int) compile.invokeExact(p, all.size(), opts);
                if (rc != 0)
                    throw new IllegalStateException("cuda: NVRTC " + version() + " could not compile the " + name + " kernels for "
                            + arch + " (" + error(rc) + "):\n" + programLog(a, p));
                MemorySegment size = a.allocate(JAVA_LONG);
                check("nvrtcGetPTXSize", (int) ptxSize.invokeExact(p, size));
                MemorySegment text = a.allocate(size.get(JAVA_LONG, 0));
                check("nvrtcGetPTX", (int) ptx.invokeExact(p, text));
                byte[] out = text.toArray(JAVA_BYTE);
                int n = out.length;
                while (n > 0 && out[n - 1] == 0) n--; // the size counts the NUL
                return Arrays.copyOf(out, n);
            } finally {
                MemorySegment box = a.allocate(ADDRESS);
                box.set(ADDRESS, 0, p);
                int ignored = (int) destroy.invokeExact(box);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cuda: calling NVRTC failed: " + t, t);
        }
    }

    private String programLog(Arena a, MemorySegment p) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        if ((int) logSize.invokeExact(p, size) != 0) return "(no log)";
        MemorySegment text = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
        if ((int) log.invokeExact(p, text) != 0) return "(no log)";
        return new String(text.toArray(JAVA_BYTE), StandardCharsets.UTF_8).replace("\0", "").trim();
    }

    private String error(int rc) {
        try {
            MemorySegment s = (MemorySegment) errorString.invokeExact(rc);
            return s.equals(MemorySegment.NULL) ? "NVRTC error " + rc : s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            return "NVRTC error " + rc;
        }
    }

    private void check(String call, int rc) {
        if (rc != 0) throw new IllegalStateException("cuda: " + call + " failed: " + error(rc));
    }

    private MemorySegment symbol(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalArgumentException(library + " has no symbol " + name));
    }
}
