package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's compiler directive ({@link KernelCompilation}) as HotSpot reports it back
 * ({@code Compiler.directives_print}): present for the classes that hold vector code, with C2 in the foreground once the Vector API is in
 * use, and absent with {@code -Dember.jit.foreground=false}.
 */
class KernelCompilationTest {

    private static final String GEMM = "dev/ember/backend/cpu/GemmKernels*.*";

    /** The c2 block of the directive matching the GEMM kernels in {@code Compiler.directives_print}'s output, or "" if none. */
    static String c2Block(String printed) {
        int at = printed.indexOf(GEMM);
        if (at < 0) return "";
        int c2 = printed.indexOf("c2 directives:", at);
        int next = printed.indexOf("Directive:", at);
        if (c2 < 0 || (next >= 0 && next < c2)) return "";
        int end = printed.indexOf("Directive:", c2);
        return printed.substring(c2, end < 0 ? printed.length() : end);
    }

    @Test
    void kernelsCompileInTheForegroundOnceSimdIsUp() throws Exception {
        assertTrue(Simd.AVAILABLE, "the tests run with the Vector API");
        assertTrue(KernelCompilation.awaitInstalled(), "the Vector API's detection starts the installer");
        String c2 = c2Block(String.valueOf(KernelCompilation.dcmd("compilerDirectivesPrint")));
        assertTrue(c2.contains("BackgroundCompilation:false"), "C2 in the foreground for the GEMM kernels: " + c2);
        assertTrue(c2.contains("Enable:true"), c2);
    }

    /** Every class of the package that imports the Vector API is in the directive (the list is kept by hand). */
    @Test
    void theDirectiveListsEveryVectorClass() throws Exception {
        Path dir = Path.of("src/main/java/dev/ember/backend/cpu");
        assertTrue(Files.isDirectory(dir), "run from ember-core: " + dir.toAbsolutePath());
        List<String> vector;
        try (var files = Files.list(dir)) {
            vector = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try { return Files.readString(f).contains("import jdk.incubator.vector."); } catch (Exception e) { throw new RuntimeException(e); }
            }).map(f -> f.getFileName().toString().replace(".java", "")).sorted().toList();
        }
        assertTrue(vector.contains("GemmKernels"), vector.toString());
        assertEquals(vector, KernelCompilation.VECTOR_CLASSES.stream().sorted().toList());
    }

    /** The child: runs a product (so the CPU backend and the Vector API are up), then prints the directives. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            dev.ember.Tensor a = dev.ember.Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
            System.out.println(java.util.Arrays.toString(a.matmul(a).toFloatArray()));
            System.out.println("installer started: " + KernelCompilation.awaitInstalled());
            System.out.println(KernelCompilation.dcmd("compilerDirectivesPrint"));
        }
    }

    @Test
    void optOutLeavesTheJitAlone() throws Exception {
        var r = dev.ember.testing.ChildJvm.run(List.of("-Dember.jit.foreground=false"), Map.of(), 2, Probe.class.getName());
        String out = r.output();
        assertEquals(0, r.exitCode(), out);
        assertTrue(out.contains("[7.0, 10.0, 15.0, 22.0]"), out);
        assertTrue(out.contains("installer started: false"), out);
        assertTrue(out.contains("matching: *.*"), "the default directive is printed, so the check below can fail: " + out);
        assertFalse(out.contains("dev/ember/backend/cpu/"), out);
    }

    @Test
    void childWithoutOptOutHasTheDirective() throws Exception {
        var r = dev.ember.testing.ChildJvm.run(List.of(), Map.of(), 2, Probe.class.getName());
        String out = r.output();
        assertEquals(0, r.exitCode(), out);
        assertTrue(out.contains("installer started: true"), out);
        assertTrue(c2Block(out).contains("BackgroundCompilation:false"), out);
    }
}
