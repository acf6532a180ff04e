package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.testing.ChildJvm;
import dev.ember.testing.DeviceMemoryPrograms;
import dev.ember.testing.TestPrograms;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The whole CUDA backend without a GPU. Two stand-ins go on the loader path of a child JVM: a
 * {@code libcuda.so.1} whose device memory is host memory, and a {@code libnvrtc.so.13} that compiles the
 * CUDA source Ember renders, the same text a GPU's NVRTC compiles, for the host ({@code emulation/*.cpp}).
 * The child starts the real JCuda driver binding, Ember's NVRTC binding and kernel cache, and the shared
 * GPU backend over {@link CudaRuntime}, and runs the backend contract suite, the CUDA programs,
 * kernel-error and language-model tests, and ember-core's device suites (conformance, gradient checks)
 * on the emulated device.
 * This checks the generated kernels' logic, launch parameters, JCuda and NVRTC usage and memory handling;
 * speed, device math libraries and real parallel races remain for a GPU run ({@code ci/gpu.sh}).
 */
class EmulatedCudaTest {
    /** ember-core's device-generic suites (tag "devices"), run here on the emulated CUDA device. */
    static final List<String> CORE_SUITES = List.of("dev.ember.ConformanceTest", "dev.ember.autograd.GradCheckTest",
            "dev.ember.OpErrorTest", "dev.ember.Conv2dChunkedTest", "dev.ember.HalfConformanceTest", "dev.ember.autograd.HalfGradCheckTest",
            "dev.ember.backend.HalfDeviceConversionTest", "dev.ember.backend.HalfKernelsTest");

    @Test
    void gpuSuitesPassOnAnEmulatedDevice() throws Exception {
        Path cxx = Path.of("/usr/bin/c++");
        assumeTrue(Files.isExecutable(cxx), "no C++ compiler to build the emulated device");
        assumeTrue(Files.exists(Path.of("/usr/include/ffi.h")) || Files.exists(Path.of("/usr/include/x86_64-linux-gnu/ffi.h")),
                "libffi headers (libffi-dev) are needed to build the emulated driver");
        Path dir = Files.createTempDirectory("ember-emulated-cuda");
        try {
            for (String f : List.of("fake_cuda.cpp", "fake_nvrtc.cpp", "host_shim.h")) Files.writeString(dir.resolve(f), resource(f));
            compile(List.of(cxx.toString(), "-std=c++20", "-O1", "-shared", "-fPIC", "-o", dir.resolve("libcuda.so.1").toString(),
                    dir.resolve("fake_cuda.cpp").toString(), "-lffi", "-ldl", "-pthread"));
            compile(List.of(cxx.toString(), "-std=c++17", "-O1", "-shared", "-fPIC", "-o", dir.resolve("libnvrtc.so.13").toString(),
                    dir.resolve("fake_nvrtc.cpp").toString(), "-ldl"));
            Files.writeString(dir.resolve("fake_cublas.c"), resource("fake_cublas.c"));
            Path cublas = dir.resolve("standin-cublas").resolve("libcublas.so.13"); // not on the loader path: opt-in below
            Files.createDirectories(cublas.getParent());
            compile(List.of("/usr/bin/cc", "-O1", "-shared", "-fPIC", "-o", cublas.toString(), dir.resolve("fake_cublas.c").toString()));
            Files.createDirectories(dir.resolve("programs"));
            Path cache = dir.resolve("kernel-cache");
            Map<String, String> env = new HashMap<>();
            env.put("LD_LIBRARY_PATH", dir.toString());
            env.put("EMBER_FAKE_NVRTC_DIR", dir.resolve("programs").toString());
            env.put("EMBER_FAKE_NVRTC_SHIM", dir.resolve("host_shim.h").toString());
            env.put("EMBER_CUDA_GEMM", null);
            env.put("EMBER_DISABLE_CUDA", null);
            env.put("EMBER_NVRTC_PATH", null);
            List<String> jvm = List.of("-Dember.kernelCache=" + cache, "-Dember.test.devices=cuda");
            List<String> classes = new java.util.ArrayList<>(List.of(CudaContractTest.class.getName(),
                    CudaTensorProgramsTest.class.getName(), CudaKernelErrorThreadsTest.class.getName(),
                    CudaLanguageModelTest.class.getName()));
            classes.addAll(CORE_SUITES);
            ChildJvm.Result r = ChildJvm.run(jvm, env, 20, TestPrograms.class.getName(), classes.toArray(String[]::new));
            String out = r.output();
            System.out.println("emulated CUDA device: " + out.lines().filter(l -> l.startsWith("passed ")).findFirst().orElse("no summary"));
            assertEquals(0, r.exitCode(), "GPU suites on the emulated device:\n" + out);
            assertTrue(out.contains("kernels by NVRTC 13.0 compute_90"), "the start-up line says NVRTC compiled the kernels:\n" + out);
            assertTrue(out.contains("GEMM: Ember's tiled GEMM kernel"), "the start-up line names the GEMM path:\n" + out);
            assertTrue(Pattern.compile("passed (\\d+) of \\1\\n").matcher(out).find(), out);
            assertTrue(out.contains("PASS CudaContractTest.geluKeepsTheNegativeTail()"), out);
            assertTrue(out.contains("PASS ConformanceTest."), "ember-core's conformance suite ran on the device:\n" + out);
            assertTrue(out.contains("PASS CudaLanguageModelTest.gptTrainingFollowsTheCpuLossCurve()"),
                    "the language-model parity tests ran on the device:\n" + out);
            assertTrue(out.contains("PASS HalfConformanceTest.") && out.contains("PASS HalfDeviceConversionTest."),
                    "the 16-bit suites ran on the device:\n" + out);
            // NVRTC's output was cached, privately.
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
            try (Stream<Path> entries = Files.list(cache)) {
                assertFalse(entries.toList().isEmpty(), "the kernel cache holds the compiled programs");
            }
            // With a cuBLAS (the stand-in) the products go to it: FLOAT32/FLOAT64 through [SD]gemmStridedBatched,
            // FLOAT16/BFLOAT16 through GemmEx on the 16-bit buffers, and the 16-bit suites still pass.
            Map<String, String> withBlas = new HashMap<>(env);
            withBlas.put("EMBER_CUBLAS_PATH", cublas.toString());
            ChildJvm.Result blas = ChildJvm.run(jvm, withBlas, 10, TestPrograms.class.getName(), CudaContractTest.class.getName(),
                    "dev.ember.HalfConformanceTest", "dev.ember.backend.HalfKernelsTest");
            assertEquals(0, blas.exitCode(), "16-bit suites with a cuBLAS on the emulated device:\n" + blas.output());
            assertTrue(blas.output().contains("GEMM: cuBLAS via java.lang.foreign") && blas.output().contains(
                    "16-bit products: cublasGemmStridedBatchedEx"), "the start-up line names GemmEx:\n" + blas.output());
            assertTrue(Pattern.compile("passed (\\d+) of \\1\\n").matcher(blas.output()).find(), blas.output());
            // A second child under a device memory limit: dropped tensors are reclaimed, live ones fail with statistics.
            ChildJvm.Result limited = ChildJvm.run(List.of("-Dember.cuda.memoryLimit=64m", "-Dember.test.device=cuda",
                    "-Dember.test.memoryLimitBytes=" + (64L << 20), "-Dember.kernelCache=" + cache, "-Dember.test.scopedIterations=200"), env, 5,
                    TestPrograms.class.getName(), DeviceMemoryPrograms.class.getName());
            assertEquals(0, limited.exitCode(), "memory limit on the emulated device:\n" + limited.output());
            assertTrue(limited.output().contains("passed 3 of 3"), limited.output());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = EmulatedCudaTest.class.getResourceAsStream("emulation/" + name)) {
            if (in == null) throw new IOException("test resource emulation/" + name + " is missing");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static void compile(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + "\n" + log);
    }
}
