package dev.ember.backend.cuda;

/**
 * Tries the GEMM paths in order (JCublas2, then cuBLAS through FFM) and records what happened,
 * then lets {@link GemmPathChoice} decide. {@code gemm} is null when the kernel path is chosen.
 */
record GemmSetup(CudaGemm gemm, GemmPathChoice choice) {

    static GemmSetup create(CudaBackend backend, CudaContext ctx) {
        String forced = System.getProperty("ember.cuda.gemm", System.getenv("EMBER_CUDA_GEMM"));
        String f = forced == null ? "" : forced.trim().toLowerCase(java.util.Locale.ROOT);
        JCublasGemm jc = null;
        String jcError = "not tried";
        if (f.isEmpty() || f.equals("jcublas")) {
            try {
                jc = JCublasGemm.create(backend, ctx);
                jcError = null;
            } catch (Throwable t) {
                jcError = describe(t);
            }
        }
        FfmCublasGemm ffm = null;
        String ffmLib = null, ffmError = "not tried";
        if (jc == null && !f.equals("kernel") && !f.equals("jcublas")) {
            try {
                ffm = new FfmCublasGemm(backend, ctx, FfmCublas.find());
                ffmLib = ffm.library();
                ffmError = null;
            } catch (Throwable t) {
                ffmError = describe(t);
            }
        }
        GemmPathChoice choice = GemmPathChoice.choose(new GemmPathChoice.Probes(forced, jcError, ffmLib, ffmError));
        CudaGemm gemm = switch (choice.path()) {
            case JCUBLAS -> jc;
            case CUBLAS_FFM -> ffm;
            case KERNEL -> null;
        };
        return new GemmSetup(gemm, choice);
    }

    /** One line for a failed probe: JCublas2's UnsatisfiedLinkError names the missing libcublas.so.12. */
    static String describe(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof UnsatisfiedLinkError && m.contains("libcublas.so")) {
            int i = m.indexOf("libcublas.so");
            int end = i;
            while (end < m.length() && !Character.isWhitespace(m.charAt(end)) && m.charAt(end) != ':') end++;
            return m.substring(i, end) + " not found";
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
