package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The jar carries PTX for every kernel source, with every entry point the backend launches. */
class PtxPackagingTest {
    private static final Path SOURCES = KernelSources.dir();
    private static final List<String> SUFFIXES = List.of("f32", "f64", "i32", "i64", "u8");
    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(");
    private static final Pattern DIRECT = Pattern.compile("extern \"C\" __global__ void (?:__launch_bounds__\\(\\d+\\) )?(\\w+)\\(");

    /** The sources sit in a checkout (and in a GPU bundle); elsewhere the source-level checks are skipped. */
    private static void requireSources() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(SOURCES),
                "kernel sources not found at " + SOURCES.toAbsolutePath() + " (run from the repository root)");
    }

    private static Set<String> entries(String module, String arch) {
        String ptx = new String(PtxResources.load(module, arch), StandardCharsets.US_ASCII);
        assertTrue(ptx.contains(".target sm_" + arch.substring("compute_".length())), module + "." + arch + " targets the wrong arch");
        Set<String> names = new TreeSet<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    private static Set<String> allEntries(String arch) {
        Set<String> all = new TreeSet<>();
        for (String m : PtxResources.MODULES) all.addAll(entries(m, arch));
        return all;
    }

    @Test
    void everySourceFileHasAModuleAndEveryModuleASource() throws IOException {
        requireSources();
        List<String> sources = new ArrayList<>();
        try (Stream<Path> s = Files.list(SOURCES)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu")).forEach(n -> sources.add(n.substring(0, n.length() - 3)));
        }
        assertEquals(new TreeSet<>(sources), new TreeSet<>(PtxResources.MODULES));
    }

    @Test
    void bothArchitecturesExportTheSameEntryPoints() {
        for (String m : PtxResources.MODULES) assertEquals(entries(m, "compute_75"), entries(m, "compute_90"), m);
    }

    @Test
    void directlyDeclaredKernelsOfEachSourceAreInItsPtx() throws IOException {
        requireSources();
        for (String m : PtxResources.MODULES) {
            String src = Files.readString(SOURCES.resolve(m + ".cu"));
            Matcher d = DIRECT.matcher(src);
            Set<String> ptx = entries(m, "compute_90");
            while (d.find()) {
                String name = d.group(1);
                if (name.equals("name")) continue; // the parameter of a generator macro, expanded below
                assertTrue(ptx.contains(name), m + ".cu declares " + name + " but its PTX lacks it");
            }
        }
    }

    /** Every kernel name CudaBackend, KernelGemm and the reductions compose, by dtype. */
    @Test
    void everyKernelTheBackendLaunchesExists() {
        Set<String> want = new TreeSet<>();
        for (String s : SUFFIXES) {
            want.addAll(List.of("unary_" + s, "binary_" + s, "where_" + s, "fill_" + s, "gather_" + s, "reduce_" + s, "argreduce_" + s));
            for (String d : SUFFIXES) want.add("copy_" + s + "_" + d);
            if (!s.equals("u8")) want.addAll(List.of("unary_" + s + "_u8", "binary_" + s + "_u8", "scatter_add_" + s, "gemm_" + s));
        }
        want.addAll(List.of("reduce_i32_i64", "reduce_u8_i64", "unary_f32_vec4", "binary_f32_vec4"));
        for (String f : List.of("f32", "f64"))
            want.addAll(List.of("im2col_" + f, "col2im_" + f, "random_" + f, "sgd_" + f, "adam_" + f));
        for (String arch : PtxResources.ARCHES) {
            Set<String> missing = new TreeSet<>(want);
            missing.removeAll(allEntries(arch));
            assertTrue(missing.isEmpty(), arch + " PTX lacks " + missing);
        }
    }

    /** Kernels receive op codes as the Java enums' ordinals: common.cuh must list them in the same order. */
    @Test
    void opCodesInCommonHeaderFollowTheJavaEnums() throws IOException {
        requireSources();
        String header = Files.readString(SOURCES.resolve("common.cuh"));
        assertEquals(names(UnaryOp.values()), cEnum(header, "UnaryOp"));
        assertEquals(names(BinaryOp.values()), cEnum(header, "BinaryOp"));
        // ReduceOp's MAX/MIN are RMAX/RMIN in C (MAX/MIN are BinaryOp's).
        assertEquals(names(ReduceOp.values()), cEnum(header, "ReduceOp").stream().map(n -> n.replaceFirst("^R(MAX|MIN)$", "$1")).toList());
    }

    private static List<String> names(Enum<?>[] values) { return Arrays.stream(values).map(Enum::name).toList(); }

    private static List<String> cEnum(String header, String name) {
        Matcher m = Pattern.compile("enum " + name + " \\{([^}]*)\\}").matcher(header);
        assertTrue(m.find(), "common.cuh has no enum " + name);
        return Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Test
    void archChoiceFollowsComputeCapability() {
        assertEquals("compute_90", PtxResources.archFor(9, 0));
        assertEquals("compute_90", PtxResources.archFor(10, 0));
        assertEquals("compute_75", PtxResources.archFor(8, 9));
        assertEquals("compute_75", PtxResources.archFor(7, 5));
        assertNull(PtxResources.archFor(7, 0));
    }

    @Test
    void ptxIsNulTerminatedForTheDriver() {
        byte[] ptx = PtxResources.load("gemm", "compute_90");
        assertEquals(0, ptx[ptx.length - 1]);
    }
}
