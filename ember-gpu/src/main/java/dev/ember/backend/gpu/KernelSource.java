package dev.ember.backend.gpu;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.KernelError;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the source of a kernel program for one {@link Dialect}: the dialect's definitions, the op table's
 * codes, the shared prelude, accessors per dtype, the op functions generated from {@link UnaryOp},
 * {@link BinaryOp} and {@link ReduceOp}, and the family's hand-written kernels ({@code kernels/<family>.c})
 * instantiated per dtype. An op function has one {@code case} per op that has a form for its compute type;
 * any other op code records {@link KernelError#UNKNOWN_OP} instead of returning its input.
 *
 * <p>Templates mark sections with {@code // @instantiate <kind>} lines; a section is repeated for each
 * binding of its kind (each dtype, each dtype pair, ...) with {@code ${NAME}} placeholders filled in.
 * A placeholder without a value fails the rendering.
 */
public final class KernelSource {
    private KernelSource() {}

    /** The kernel programs, one per template file; each is compiled on first use. */
    public enum Family {
        ELEMENTWISE, COPY, REDUCE, INDEX, CONV, RANDOM, OPTIM, GEMM;

        /** The template's resource name. */
        String template() { return name().toLowerCase(Locale.ROOT) + ".c"; }
    }

    /**
     * What a rendering depends on besides the family.
     *
     * @param dialect  the kernel language
     * @param fp64     whether the device has double precision (FLOAT64 kernels, transforms in double)
     * @param width    the index type
     * @param threads  threads per block of the cooperative kernels (reductions), a power of two, at least 32
     * @param gemmTile threads per side of a GEMM block (each computes a 4x4 block of C)
     */
    public record Options(Dialect dialect, boolean fp64, IndexWidth width, int threads, int gemmTile) {
        public Options {
            if (threads < 32 || Integer.bitCount(threads) != 1)
                throw new IllegalArgumentException("kernel options: threads must be a power of two >= 32, got " + threads);
        }

        /** The same options with another index width. */
        public Options with(IndexWidth w) { return new Options(dialect, fp64, w, threads, gemmTile); }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");
    private static final String MARKER = "// @instantiate ";
    private static final Map<String, String> TEMPLATES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The complete source of {@code family}. */
    public static String render(Family family, Options o) {
        StringBuilder src = new StringBuilder();
        src.append("// Ember ").append(family.name().toLowerCase(Locale.ROOT)).append(" kernels, ").append(o.dialect())
                .append(", ").append(o.width() == IndexWidth.I32 ? "32" : "64").append("-bit indices")
                .append(o.fp64() ? "" : ", no fp64").append(".\n// Generated from Ember's op table and kernels/*.c by ")
                .append(KernelSource.class.getName()).append("; do not edit.\n");
        if (o.fp64()) src.append(o.dialect().fp64Pragma()).append("#define EMBER_FP64 1\n");
        src.append(o.dialect().definitions().text(o.width() == IndexWidth.I32 ? "int" : "i64"));
        src.append("#define EMBER_THREADS ").append(o.threads()).append('\n');
        src.append("#define GEMM_L ").append(o.gemmTile()).append("\n#define GEMM_TS (4 * GEMM_L)\n#define GEMM_TK 16\n");
        for (KernelError e : KernelError.values()) src.append("#define ").append(e.macro()).append(' ').append(e.code()).append('\n');
        for (ReduceOp op : ReduceOp.values()) src.append("#define REDUCE_").append(op.name()).append(' ').append(op.ordinal()).append('\n');
        src.append('\n');
        instantiate(src, template("prelude.c"), o);
        accessors(src, o);
        switch (family) {
            case ELEMENTWISE -> {
                for (GpuType.Compute c : computes(o)) unaryFunction(src, c, o.dialect());
                for (GpuType.Compute c : computes(o)) binaryFunction(src, c, o.dialect());
            }
            case REDUCE -> { for (GpuType.Compute c : computes(o)) reduceFunctions(src, c, o.dialect()); }
            default -> { }
        }
        instantiate(src, template(family.template()), o);
        return src.toString().replace("\nKERNEL void ", "\n" + o.dialect().kernelQualifier() + " ");
    }

    /** The entry points a rendered source defines. */
    public static List<String> kernelNames(String source, Dialect dialect) {
        Matcher m = Pattern.compile(Pattern.quote(dialect.kernelQualifier()) + " (\\w+)\\(").matcher(source);
        List<String> names = new ArrayList<>();
        while (m.find()) names.add(m.group(1));
        return names;
    }

    // ---- generated from the op table ---------------------------------------------------------

    private static void unaryFunction(StringBuilder src, GpuType.Compute c, Dialect d) {
        String params = c.isFloat() ? c.c + " a, " + c.c + " b" : "i64 a, i64 b, i64 c, i64 d";
        StringBuilder f = new StringBuilder();
        f.append("INLINE ").append(c.c).append(" unary_op_").append(c.suffix).append("(int op, ").append(c.c).append(" x, ")
                .append(params).append(", GLOBAL int* err) {\n    switch (op) {\n");
        for (UnaryOp op : UnaryOp.values()) {
            String form = c.isFloat() ? op.floatForm() : op.integerForm().orElse(null);
            if (form != null) cases(f, op.ordinal(), op.name(), form, c);
        }
        closeSwitch(f, c);
        src.append(d.forCompute(f.toString(), c));
    }

    private static void binaryFunction(StringBuilder src, GpuType.Compute c, Dialect d) {
        StringBuilder f = new StringBuilder();
        f.append("INLINE ").append(c.c).append(" binary_op_").append(c.suffix).append("(int op, ").append(c.c).append(" x, ")
                .append(c.c).append(" y, GLOBAL int* err) {\n    switch (op) {\n");
        for (BinaryOp op : BinaryOp.values()) {
            String form = c.isFloat() ? op.floatForm() : op.integerForm().orElse(null);
            if (form != null) cases(f, op.ordinal(), op.name(), form, c);
        }
        closeSwitch(f, c);
        src.append(d.forCompute(f.toString(), c));
    }

    private static void reduceFunctions(StringBuilder src, GpuType.Compute c, Dialect d) {
        StringBuilder f = new StringBuilder();
        f.append("INLINE ").append(c.c).append(" combine_").append(c.suffix).append("(int op, ").append(c.c).append(" a, ")
                .append(c.c).append(" b, GLOBAL int* err) {\n    switch (op) {\n");
        for (ReduceOp op : ReduceOp.values()) {
            String form = c.isFloat() ? op.floatForm() : op.integerForm();
            if (form != null) cases(f, op.ordinal(), op.name(), form, c);
        }
        closeSwitch(f, c);
        f.append("INLINE ").append(c.c).append(" reduce_identity_").append(c.suffix).append("(int op, ").append(c.c)
                .append(" element) {\n    switch (op) {\n");
        for (ReduceOp op : ReduceOp.values())
            if (op.identity() != null) cases(f, op.ordinal(), op.name(), "(" + c.c + ") " + op.identity(), c);
        f.append("    }\n    return element; // no identity (MAX, MIN): any element of the row\n}\n\n");
        src.append(d.forCompute(f.toString(), c));
    }

    private static void cases(StringBuilder f, int code, String name, String form, GpuType.Compute c) {
        f.append("        case ").append(code).append(": return ").append(castConstants(form, c.c)).append("; // ").append(name).append('\n');
    }

    private static void closeSwitch(StringBuilder f, GpuType.Compute c) {
        f.append("    }\n    report(err, KE_UNKNOWN_OP, op, 0, 0);\n    return (").append(c.c).append(") 0;\n}\n\n");
    }

    /** Rewrites the op table's {@code C(v)} (a constant in the compute type) as a C cast, innermost first. */
    static String castConstants(String form, String type) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < form.length()) {
            boolean start = form.startsWith("C(", i) && (i == 0 || !Character.isJavaIdentifierPart(form.charAt(i - 1)));
            if (!start) { out.append(form.charAt(i++)); continue; }
            int depth = 0, j = i + 1;
            for (; j < form.length(); j++) {
                if (form.charAt(j) == '(') depth++;
                else if (form.charAt(j) == ')' && --depth == 0) break;
            }
            if (j == form.length()) throw new IllegalArgumentException("op table: unbalanced C( in " + form);
            out.append("((").append(type).append(") (").append(castConstants(form.substring(i + 2, j), type)).append("))");
            i = j + 1;
        }
        return out.toString();
    }

    // ---- per dtype accessors -----------------------------------------------------------------

    private static void accessors(StringBuilder src, Options o) {
        for (GpuType t : types(o)) {
            src.append("INLINE ").append(t.compute.c).append(" load_").append(t.suffix).append("(GLOBAL const ").append(t.c)
                    .append("* p, idx_t i) { ").append(t.load()).append(" }\n");
            for (GpuType.Compute from : computes(o)) {
                String body = t.store(from);
                if (body != null) src.append("INLINE void store_").append(t.suffix).append('_').append(from.suffix).append("(GLOBAL ")
                        .append(t.c).append("* p, idx_t i, ").append(from.c).append(" v) { ").append(body).append(" }\n");
            }
        }
        src.append('\n');
    }

    // ---- templates ---------------------------------------------------------------------------

    private static void instantiate(StringBuilder src, String template, Options o) {
        String kind = "once";
        StringBuilder section = new StringBuilder();
        for (String line : template.split("\n", -1)) {
            if (line.startsWith(MARKER)) {
                emit(src, kind, section.toString(), o);
                kind = line.substring(MARKER.length()).trim();
                section.setLength(0);
            } else {
                section.append(line).append('\n');
            }
        }
        emit(src, kind, section.toString(), o);
    }

    private static void emit(StringBuilder src, String kind, String section, Options o) {
        for (Map<String, String> b : bindings(kind, o)) {
            String text = fill(section, b);
            String math = b.get("MATH");
            src.append(math == null ? text : o.dialect().forCompute(text, GpuType.Compute.valueOf(math)));
        }
    }

    private static String fill(String section, Map<String, String> b) {
        Matcher m = PLACEHOLDER.matcher(section);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = b.get(m.group(1));
            if (v == null) throw new IllegalStateException("kernel template: no value for ${" + m.group(1) + "} in a section bound by " + b.keySet());
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The bindings a section of {@code kind} is instantiated with. */
    private static List<Map<String, String>> bindings(String kind, Options o) {
        List<Map<String, String>> out = new ArrayList<>();
        switch (kind) {
            case "once" -> out.add(Map.of("MATH", (o.fp64() ? GpuType.Compute.F64 : GpuType.Compute.F32).name()));
            case "each-type" -> { for (GpuType t : types(o)) out.add(type(t)); }
            case "each-type-but-bool" -> { for (GpuType t : types(o)) if (t != GpuType.BOOL) out.add(type(t)); }
            case "each-float" -> { for (GpuType t : types(o)) if (t.isFloat()) out.add(type(t)); }
            case "each-atomic" -> { for (GpuType t : types(o)) if (o.dialect().atomicAdd().contains(t)) out.add(type(t)); }
            case "each-compute", "each-float-compute" -> {
                for (GpuType.Compute c : computes(o)) {
                    if (kind.equals("each-float-compute") && !c.isFloat()) continue;
                    out.add(Map.of("C", c.c, "CS", c.suffix, "MAC", c.multiplyAdd(), "ADD", c.plus(),
                            "IS_NAN", c.isFloat() ? "v != v" : "0", "MATH", c.name()));
                }
            }
            case "each-pair" -> {
                for (GpuType s : types(o))
                    for (GpuType d : types(o)) {
                        Map<String, String> b = pair(s, d);
                        b.put("CONVERT", d.convertFrom(s, "v", o.fp64()));
                        out.add(b);
                    }
            }
            case "each-reduce" -> {
                for (GpuType s : types(o))
                    for (GpuType d : types(o)) {
                        if (!reduces(s, d)) continue;
                        Map<String, String> b = pair(s, d);
                        b.put("ACC", s.compute.c);
                        b.put("ACCS", s.compute.suffix);
                        b.put("MATH", s.compute.name());
                        out.add(b);
                    }
            }
            default -> throw new IllegalStateException("kernel template: unknown section kind '" + kind + "'");
        }
        return out;
    }

    /**
     * The (input, output) dtypes a reduce kernel exists for: a dtype to itself (MAX, MIN; float SUM, PROD),
     * integers and BOOL to INT64 (their SUM, PROD), as {@link ReduceOp#outputType} needs, and a 16-bit type to and
     * from FLOAT32: a long row's partials stay float32 between the two passes, so the result rounds once.
     */
    static boolean reduces(GpuType s, GpuType d) {
        return d == s || (d == GpuType.INT64 && !s.isFloat()) || (s.sixteenBit() && d == GpuType.FLOAT32)
                || (s == GpuType.FLOAT32 && d.sixteenBit());
    }

    private static Map<String, String> type(GpuType t) {
        Map<String, String> b = new LinkedHashMap<>();
        b.put("T", t.c);
        b.put("SFX", t.suffix);
        b.put("C", t.compute.c);
        b.put("CS", t.compute.suffix);
        b.put("UPARAMS", t.isFloat() ? t.compute.c + " a, " + t.compute.c + " b" : "i64 a, i64 b, i64 c, i64 d");
        b.put("UARGS", t.isFloat() ? "a, b" : "a, b, c, d");
        b.put("MATH", t.compute.name());
        return b;
    }

    private static Map<String, String> pair(GpuType s, GpuType d) {
        Map<String, String> b = new LinkedHashMap<>();
        b.put("S", s.c);
        b.put("D", d.c);
        b.put("SSFX", s.suffix);
        b.put("DSFX", d.suffix);
        return b;
    }

    /** The dtypes a device has kernels for: all, or all but FLOAT64 without double precision. */
    static List<GpuType> types(Options o) {
        List<GpuType> out = new ArrayList<>();
        for (GpuType t : GpuType.values()) if (o.fp64() || !t.needsFp64()) out.add(t);
        return out;
    }

    private static List<GpuType.Compute> computes(Options o) {
        List<GpuType.Compute> out = new ArrayList<>();
        for (GpuType.Compute c : GpuType.Compute.values()) if (o.fp64() || c != GpuType.Compute.F64) out.add(c);
        return out;
    }

    /** A template from the class path ({@code dev/ember/kernels/<name>}). */
    static String template(String name) {
        return TEMPLATES.computeIfAbsent(name, n -> {
            String path = "/dev/ember/kernels/" + n;
            try (InputStream in = KernelSource.class.getResourceAsStream(path)) {
                if (in == null) throw new IllegalStateException("kernel template " + path + " is missing from the class path");
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kernel template " + path, e);
            }
        });
    }

    /**
     * Writes every family's rendered source to files, for builds and for reading: {@code KernelSource cuda|opencl DIR
     * [--no-fp64] [--index64]} writes {@code DIR/<family>.cu} (or {@code .cl}) with the options a device of that
     * dialect with double precision uses (256 threads per block, 16 x 16 GEMM blocks). {@code native/build-ptx.sh}
     * compiles the CUDA ones to the packaged PTX.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2 || !(args[0].equals("cuda") || args[0].equals("opencl")))
            throw new IllegalArgumentException("usage: KernelSource cuda|opencl DIR [--no-fp64] [--index64]");
        Dialect d = args[0].equals("cuda") ? Dialect.CUDA : Dialect.OPENCL;
        List<String> flags = List.of(args).subList(2, args.length);
        Options o = new Options(d, !flags.contains("--no-fp64"), flags.contains("--index64") ? IndexWidth.I64 : IndexWidth.I32, 256, 16);
        java.nio.file.Path dir = java.nio.file.Path.of(args[1]);
        java.nio.file.Files.createDirectories(dir);
        for (Map.Entry<Family, String> e : renderAll(o).entrySet())
            java.nio.file.Files.writeString(dir.resolve(e.getKey().name().toLowerCase(Locale.ROOT) + (d == Dialect.CUDA ? ".cu" : ".cl")),
                    e.getValue());
    }

    /** Renders every family for {@code o} (a convenience for builds and tests). */
    public static Map<Family, String> renderAll(Options o) {
        Map<Family, String> out = new LinkedHashMap<>();
        for (Family f : Family.values()) out.put(f, render(f, o));
        return out;
    }
}
