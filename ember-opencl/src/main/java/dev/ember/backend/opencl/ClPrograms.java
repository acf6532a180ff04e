package dev.ember.backend.opencl;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles the OpenCL C source of each kernel family from the {@code .cl} files packaged under
 * {@code dev/ember/kernels/opencl/}: the shared prologue ({@code common.cl} plus the op codes of
 * the Java enums), then the family's template instantiated once per dtype (or dtype pair) by
 * wrapping it in {@code #define}s. float64 instantiations are left out on devices without fp64.
 */
final class ClPrograms {
    private ClPrograms() {}

    /** The kernel families, one {@code .cl} file each. */
    enum Family { ELEMENTWISE, COPY, REDUCE, GEMM, CONV, INDEX, RANDOM, OPTIM }

    private static final String RESOURCE_DIR = "/dev/ember/kernels/opencl/";

    /**
     * The complete source of {@code family} for a device with or without {@code cl_khr_fp64}, whose
     * GEMM work-groups are {@code gemmGroup x gemmGroup} work-items (each computing a 4x4 block of C).
     */
    static String source(Family family, boolean fp64, int gemmGroup) {
        StringBuilder src = new StringBuilder();
        if (fp64) src.append("#define EMBER_FP64 1\n");
        src.append("#define GEMM_L ").append(gemmGroup).append('\n');
        for (UnaryOp op : UnaryOp.values()) src.append("#define U_").append(op.name()).append(' ').append(op.ordinal()).append('\n');
        for (BinaryOp op : BinaryOp.values()) src.append("#define B_").append(op.name()).append(' ').append(op.ordinal()).append('\n');
        for (ReduceOp op : ReduceOp.values()) src.append("#define R_").append(op.name()).append(' ').append(op.ordinal()).append('\n');
        src.append(resource("common.cl"));
        String body = resource(family.name().toLowerCase() + ".cl");
        for (Map<String, String> binding : bindings(family, fp64)) {
            binding.forEach((k, v) -> src.append("#define ").append(k).append(' ').append(v).append('\n'));
            src.append(body).append('\n');
            binding.keySet().forEach(k -> src.append("#undef ").append(k.replaceAll("\\(.*", "")).append('\n'));
        }
        return src.toString();
    }

    /** The reduce kernels that exist: input dtype to itself (MAX/MIN, float SUM/PROD) and to INT64 (arg*, integer SUM/PROD). */
    static boolean reduceSupported(ClType in, ClType out) { return out == in || out == ClType.INT64; }

    private static List<Map<String, String>> bindings(Family family, boolean fp64) {
        List<ClType> all = new ArrayList<>();
        for (ClType t : ClType.values()) if (fp64 || t != ClType.FLOAT64) all.add(t);
        List<Map<String, String>> out = new ArrayList<>();
        switch (family) {
            case RANDOM -> out.add(Map.of());
            case ELEMENTWISE, INDEX -> { for (ClType t : all) out.add(single(t)); }
            case GEMM -> { for (ClType t : all) if (t != ClType.BOOL) out.add(single(t)); }
            case CONV, OPTIM -> { for (ClType t : all) if (t.isFloat()) out.add(single(t)); }
            case COPY -> {
                for (ClType s : all)
                    for (ClType d : all) {
                        Map<String, String> b = pair(s, d);
                        b.put("CVT(v)", d.convertFrom(s, "v"));
                        out.add(b);
                    }
            }
            case REDUCE -> {
                for (ClType s : all)
                    for (ClType d : all)
                        if (reduceSupported(s, d)) {
                            Map<String, String> b = pair(s, d);
                            b.put("ACC", s.acc);
                            b.put("IS_FLOAT", s.isFloat() ? "1" : "0");
                            b.put("STORE_D(v)", d.convertFrom(s.isFloat() ? s : ClType.INT64, "v"));
                            out.add(b);
                        }
            }
        }
        return out;
    }

    private static Map<String, String> single(ClType t) {
        Map<String, String> b = new LinkedHashMap<>();
        b.put("T", t.c);
        b.put("SFX", t.suffix);
        b.put("ACC", t.acc);
        b.put("IS_FLOAT", t.isFloat() ? "1" : "0");
        b.put("STORE(v)", t.convertFrom(ClType.INT64, "v"));
        b.put("FROM_BITS(b)", t.fromBits("b"));
        b.put("ADD_INTO(a, b)", t == ClType.BOOL ? "((uchar) (((a) + (b)) != 0))" : "((a) + (b))");
        b.put("ATOMIC_KIND", t == ClType.FLOAT32 ? "1" : t == ClType.INT32 ? "2" : "0"); // 32-bit atomics are core OpenCL 1.2
        return b;
    }

    private static Map<String, String> pair(ClType s, ClType d) {
        Map<String, String> b = new LinkedHashMap<>();
        b.put("S", s.c);
        b.put("D", d.c);
        b.put("SSFX", s.suffix);
        b.put("DSFX", d.suffix);
        return b;
    }

    private static String resource(String name) {
        try (InputStream in = ClPrograms.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) throw new IllegalStateException("opencl: kernel source " + RESOURCE_DIR + name + " is missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("opencl: cannot read kernel source " + name, e);
        }
    }
}
