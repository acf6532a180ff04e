package dev.ember.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.DType;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ConvGeometry;
import dev.ember.backend.KernelError;
import dev.ember.backend.Philox;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.Storage;
import dev.ember.backend.Strided;
import dev.ember.backend.UnaryOp;
import dev.ember.backend.gpu.KernelSource.Family;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernel sources rendered from the op table: each op switch has exactly the table's cases and traps the
 * rest, the error codes are the table's, every family renders for both dialects, both index widths and
 * devices without double precision, every kernel a launch plan names exists, and the CUDA rendering compiles
 * as C++ on the host (the emulated device and the backend contract suites run what it computes).
 */
class KernelSourceTest {
    private static final KernelSource.Options CUDA = new KernelSource.Options(Dialect.CUDA, true, IndexWidth.I32, 256, 16);
    private static final KernelSource.Options OPENCL = new KernelSource.Options(Dialect.OPENCL, true, IndexWidth.I32, 256, 16);

    /** The case labels of the generated function {@code name} in {@code src}. */
    private static Set<Integer> cases(String src, String name) {
        int start = src.indexOf(" " + name + "(");
        assertTrue(start > 0, name + " is generated");
        String body = src.substring(start, src.indexOf("\n}\n", start));
        assertTrue(body.contains("report(err, KE_UNKNOWN_OP, op, 0, 0);"), name + " traps an op it has no case for");
        Set<Integer> out = new TreeSet<>();
        Matcher m = Pattern.compile("case (\\d+):").matcher(body);
        while (m.find()) assertTrue(out.add(Integer.parseInt(m.group(1))), name + ": one case per op");
        return out;
    }

    @Test
    void opSwitchesHaveExactlyTheTablesCasesAndTrapTheRest() {
        for (KernelSource.Options o : List.of(CUDA, OPENCL)) {
            String src = KernelSource.render(Family.ELEMENTWISE, o);
            Set<Integer> all = new TreeSet<>(), ints = new TreeSet<>();
            for (UnaryOp op : UnaryOp.values()) {
                all.add(op.ordinal());
                if (op.integerForm().isPresent()) ints.add(op.ordinal());
            }
            assertEquals(all, cases(src, "unary_op_f32"));
            assertEquals(all, cases(src, "unary_op_f64"));
            assertEquals(ints, cases(src, "unary_op_i64"));
            Set<Integer> bAll = new TreeSet<>(), bInts = new TreeSet<>();
            for (BinaryOp op : BinaryOp.values()) {
                bAll.add(op.ordinal());
                if (op.integerForm().isPresent()) bInts.add(op.ordinal());
            }
            assertEquals(bAll, cases(src, "binary_op_f32"));
            assertEquals(bInts, cases(src, "binary_op_i64"));
            assertFalse(bInts.contains(BinaryOp.ATAN2.ordinal()));
            String reduce = KernelSource.render(Family.REDUCE, o);
            Set<Integer> combining = new TreeSet<>();
            for (ReduceOp op : ReduceOp.values()) if (!op.isArg()) combining.add(op.ordinal());
            assertEquals(combining, cases(reduce, "combine_f32"));
            assertEquals(combining, cases(reduce, "combine_i64"));
            assertFalse(src.contains("default:"), "no op switch has a default that could return its input");
        }
    }

    @Test
    void theFormsAreTheTables() {
        String src = KernelSource.render(Family.ELEMENTWISE, OPENCL);
        assertTrue(src.contains("case " + UnaryOp.GELU.ordinal() + ": return ((float) (0.5)) * x * erfc(-x * ((float) (0.70710678118654752))); // GELU"),
                "GELU is 0.5 x erfc(-x / sqrt 2)");
        assertTrue(src.contains("case " + BinaryOp.DIV.ordinal() + ": return floor_div(x, y, err); // DIV"));
        String cuda = KernelSource.render(Family.ELEMENTWISE, CUDA);
        assertTrue(cuda.contains("erfcf(-x * ((float) (0.70710678118654752)))"), "CUDA computes float GELU with erfcf");
        assertTrue(cuda.contains("erfc(-x * ((double) (0.70710678118654752)))"), "and double GELU with erfc");
    }

    @Test
    void errorCodesAreTheKernelErrorTable() {
        String src = KernelSource.render(Family.INDEX, CUDA);
        for (KernelError e : KernelError.values())
            assertTrue(src.contains("#define " + e.macro() + " " + e.code() + "\n"), e + " is defined from the table");
        Matcher m = Pattern.compile("report\\(err, ([^,]+),").matcher(src + KernelSource.render(Family.ELEMENTWISE, CUDA)
                + KernelSource.render(Family.REDUCE, CUDA));
        int reports = 0;
        while (m.find()) {
            reports++;
            assertTrue(m.group(1).startsWith("KE_"), "kernels report codes by the table's names, not numbers: " + m.group());
        }
        assertTrue(reports >= 6);
        assertEquals(KernelError.UNKNOWN_OP, KernelError.of(6));
        assertEquals(null, KernelError.of(0));
    }

    @Test
    void everyFamilyRendersForBothDialectsWidthsAndWithoutFp64() {
        for (Dialect d : List.of(Dialect.CUDA, Dialect.OPENCL))
            for (IndexWidth w : IndexWidth.values())
                for (boolean fp64 : new boolean[]{true, false}) {
                    var o = new KernelSource.Options(d, fp64, w, 256, fp64 ? 16 : 8);
                    for (Family f : Family.values()) {
                        String src = KernelSource.render(f, o);
                        String what = f + " " + d + " " + w + (fp64 ? "" : " no fp64");
                        assertFalse(src.contains("${"), what + ": every placeholder filled");
                        assertFalse(KernelSource.kernelNames(src, d).isEmpty(), what + ": has kernels");
                        if (!fp64) assertFalse(src.replaceAll("(?s)#ifdef EMBER_FP64.*?#endif", "").replaceAll("//[^\n]*", "")
                                .matches("(?s).*\\bdouble\\b.*"), what + ": no double without fp64");
                        assertTrue(src.contains("typedef " + (w == IndexWidth.I32 ? "int" : d == Dialect.CUDA ? "long long" : "long") + " idx_t;"), what);
                    }
                }
    }

    /** Host memory does for a storage here: the plans only read shapes, dtypes and lengths. */
    private static Strided strided(DType t, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        Storage st = new Storage(t, Math.max(n, 1)) {
            @Override
            public dev.ember.backend.Backend backend() { return null; }
        };
        return Strided.contiguous(st, shape);
    }

    @Test
    void everyKernelThePlannerLaunchesExists() {
        for (KernelSource.Options o : List.of(CUDA, OPENCL)) {
            var plans = new LaunchPlanner(256, 4, 16, o.dialect(), true);
            List<Launch> launches = new ArrayList<>();
            for (DType t : DType.values()) {
                Strided x = strided(t, 3, 5), y = strided(t, 3, 5), idx = strided(DType.INT64, 3, 5);
                for (DType u : DType.values()) launches.add(plans.copy(x, strided(u, 3, 5)));
                launches.add(plans.fill(x, 1));
                for (UnaryOp op : UnaryOp.values()) launches.add(plans.unary(op, x, strided(op.outputType(t), 3, 5), 0, 1));
                for (BinaryOp op : BinaryOp.values()) launches.add(plans.binary(op, x, y, strided(op.outputType(t), 3, 5)));
                launches.add(plans.where(strided(DType.BOOL, 3, 5), x, y, strided(t, 3, 5)));
                for (ReduceOp op : ReduceOp.values()) {
                    Strided out = strided(op.outputType(t), 3);
                    launches.add(plans.reduce(op, x, out, plans.reducePlan(op, x), null));
                }
                launches.add(plans.gather(x, 1, idx, strided(t, 3, 5)));
                launches.add(plans.scatterAdd(x, 1, idx, y));
                launches.add(plans.scatterAdd(strided(t, 3, 5), 0, strided(DType.INT64, 100, 5), strided(t, 100, 5)));
                ConvGeometry g = new ConvGeometry(4, 4, 3, 3, 1, 1, 1, 1, 1, 1);
                launches.add(plans.im2col(strided(t, 1, 2, 4, 4), g, 0, strided(t, 1, 18, 16)));
                launches.add(plans.col2im(strided(t, 1, 18, 16), g, strided(t, 1, 2, 4, 4)));
                launches.addAll(plans.gemm(strided(t, 2, 3, 4), strided(t, 2, 4, 5), strided(t, 2, 3, 5)));
                if (t.isFloatingPoint()) {
                    launches.add(plans.softmax(x, strided(t, 3, 5), true));
                    Strided w = strided(DType.FLOAT32, 5), stats = strided(DType.FLOAT32, 3);
                    launches.add(plans.normForward(x, 5, w, w, 1e-5, false, strided(t, 3, 5), stats, stats));
                    launches.add(plans.normInputGrad(y, x, 5, w, stats, stats, false, strided(t, 3, 5)));
                    launches.add(plans.normParamGrads(y, x, 5, null, stats, true, w, null));
                    launches.add(plans.random(x, Philox.Distribution.NORMAL, 1, 2, 0, 1));
                    launches.add(plans.sgd(x, y, null, 0.1, 0, 0, 0, false, true));
                    launches.add(plans.adam(x, y, strided(t, 3, 5), strided(t, 3, 5), 0.1, 0.9, 0.99, 1e-8, 0, true, 1));
                }
            }
            Set<String> seen = new TreeSet<>();
            for (Launch l : launches) {
                if (l == null) continue;
                List<String> names = KernelSource.kernelNames(KernelSource.render(l.family(), o), o.dialect());
                assertTrue(names.contains(l.kernel()), l.kernel() + " is in the " + l.family() + " program for " + o.dialect());
                seen.add(l.kernel());
            }
            assertTrue(seen.containsAll(List.of("unary_f32_vec4", "binary_f32_vec4", "scatter_add_atomic_f32", "argreduce_b8",
                    "reduce_i32_i64", "unary_i64_b8", "gemm_b8")), "the special paths are planned: " + seen);
        }
    }

    @Test
    void constantsAreCastToTheComputeTypeAndFloatMathIsRenamedOnlyForCuda() {
        assertEquals("((float) (x != ((float) (0)) && y != ((float) (0))))", KernelSource.castConstants("C(x != C(0) && y != C(0))", "float"));
        assertEquals("floor_div(x, y, err)", KernelSource.castConstants("floor_div(x, y, err)", "i64"));
        assertEquals("expf(x) + floor_div(a) + pyrem_f32(x, y)", Dialect.CUDA.forCompute("exp(x) + floor_div(a) + pyrem(x, y)", GpuType.Compute.F32));
        assertEquals("exp(x) + pyrem_f32(x, y)", Dialect.OPENCL.forCompute("exp(x) + pyrem(x, y)", GpuType.Compute.F32));
        assertEquals("exp(x)", Dialect.CUDA.forCompute("exp(x)", GpuType.Compute.F64));
    }

    @Test
    void everyMathFunctionOfTheOpTableGetsItsFloatNameOnCuda() {
        // A C99 math function in a float form (Ember's prelude helpers have an underscore, pyrem is typed, C casts)
        // must be renamed for float on CUDA, else float32 computes it in double: tan(x) must become tanf(x).
        List<String> forms = new ArrayList<>();
        for (UnaryOp op : UnaryOp.values()) forms.add(op.floatForm());
        for (BinaryOp op : BinaryOp.values()) forms.add(op.floatForm());
        for (ReduceOp op : ReduceOp.values()) if (op.floatForm() != null) forms.add(op.floatForm());
        Set<String> functions = new TreeSet<>();
        for (String form : forms) {
            Matcher m = Pattern.compile("\\b([a-z][a-z0-9]*)\\(").matcher(form);
            while (m.find()) if (!m.group(1).equals("pyrem")) functions.add(m.group(1));
        }
        assertTrue(functions.containsAll(List.of("exp", "tan", "erfc", "atan2")), functions.toString());
        for (String f : functions)
            assertEquals(f + "f(x)", Dialect.CUDA.forCompute(f + "(x)", GpuType.Compute.F32), f + " on CUDA in float");
    }

    /** The host-side definitions CUDA's built-ins need to compile as C++ (the emulated device uses a threaded version). */
    private static final String HOST_SHIM = """
            #pragma once
            #include <cmath>
            using namespace std;
            struct EmberDim3 { unsigned x, y, z; };
            static EmberDim3 threadIdx, blockIdx, blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
            #define __global__
            #define __device__
            #define __forceinline__ inline
            #define __shared__ static
            inline void __syncthreads() {}
            inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned) (((unsigned long long) a * b) >> 32); }
            inline float __uint_as_float(unsigned u) { float f; __builtin_memcpy(&f, &u, 4); return f; }
            inline unsigned __float_as_uint(float f) { unsigned u; __builtin_memcpy(&u, &f, 4); return u; }
            inline int atomicCAS(int* p, int cmp, int v) { int old = *p; if (old == cmp) *p = v; return old; }
            template <typename T> inline T atomicAdd(T* p, T v) { T old = *p; *p = old + v; return old; }
            """;

    @Test
    void theCudaRenderingCompilesAsCppAtBothIndexWidths() throws Exception {
        Path cxx = Path.of("/usr/bin/c++");
        assumeTrue(Files.isExecutable(cxx), "no C++ compiler");
        Path dir = Files.createTempDirectory("ember-kernel-source");
        try {
            Files.writeString(dir.resolve("shim.h"), HOST_SHIM);
            for (IndexWidth w : IndexWidth.values())
                for (Family f : EnumSet.allOf(Family.class)) {
                    Path src = dir.resolve(f + "-" + w + ".cu");
                    Files.writeString(src, KernelSource.render(f, CUDA.with(w)));
                    Process p = new ProcessBuilder(cxx.toString(), "-std=c++17", "-fsyntax-only", "-x", "c++", "-include",
                            dir.resolve("shim.h").toString(), src.toString()).redirectErrorStream(true).start();
                    String log = new String(p.getInputStream().readAllBytes());
                    assertEquals(0, p.waitFor(), f + " at " + w + " does not compile:\n" + log);
                }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
            }
        }
    }
}
