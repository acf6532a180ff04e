package dev.ember.ml;

import dev.ember.Tensor;

/**
 * A support-vector classifier (C-SVC) with a linear, RBF or polynomial {@link Kernel}, trained by
 * {@link Smo} (libsvm's algorithm, tolerance 1e-3). Two classes: one machine, positive side =
 * the larger label. More classes: one-vs-rest, one machine per class, prediction = the class with
 * the largest decision value (scikit-learn's {@code SVC} is one-vs-one; its
 * {@code OneVsRestClassifier(SVC(...))} is the equivalent). No probabilities.
 */
public final class SVC implements Classifier {
    private double c = 1.0, tol = 1e-3;
    private Kernel kernel = Kernel.rbf();
    private int maxIter = 10_000_000;
    private long[] classes;
    private double[][] supportVectors;     // [nSV, features]
    private double[][] dualCoef;           // [machines, nSV]: α_i y_i per machine (0 where not a support vector of it)
    private double[] rho;                  // [machines]

    /** RBF kernel, γ = "scale", C = 1 (scikit-learn's defaults). */
    public SVC() {}

    /** A C-SVC with {@code c > 0} and the given kernel. */
    public SVC(double c, Kernel kernel) {
        if (!(c > 0)) throw new IllegalArgumentException("SVC: C must be > 0, got " + c);
        this.c = c;
        this.kernel = kernel;
    }

    /** The kernel, with γ resolved once fitted. */
    public Kernel kernel() { return kernel; }

    /** Number of support vectors over all machines. */
    public int supportVectorCount() { return supportVectors.length; }

    @Override
    public long[] classes() { return classes.clone(); }

    @Override
    public SVC fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrix("SVC.fit", x);
        double[] yv = Inputs.vector("SVC.fit", y, rows.length);
        LabelEncoding enc = LabelEncoding.of("SVC.fit", yv);
        if (enc.size() < 2) throw new IllegalArgumentException("SVC.fit: needs at least 2 classes, got " + enc.size());
        classes = enc.classes();
        kernel = kernel.resolved(rows);
        int n = rows.length;
        double[][] gram = new double[n][n];   // shared by every one-vs-rest machine
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) gram[i][j] = gram[j][i] = kernel.apply(rows[i], rows[j]);
        int[] labels = enc.encode(yv);
        int machines = classes.length == 2 ? 1 : classes.length;
        double[][] coefAll = new double[machines][];
        rho = new double[machines];
        for (int m = 0; m < machines; m++) {
            int positive = machines == 1 ? 1 : m;
            int[] sign = new int[n];
            for (int i = 0; i < n; i++) sign[i] = labels[i] == positive ? 1 : -1;
            Smo.Solution s = Smo.solve(gram, sign, c, tol, maxIter);
            coefAll[m] = new double[n];
            for (int i = 0; i < n; i++) coefAll[m][i] = s.alpha()[i] * sign[i];
            rho[m] = s.rho();
        }
        // Keep only rows that are a support vector of some machine.
        int count = 0;
        boolean[] used = new boolean[n];
        for (int i = 0; i < n; i++) for (double[] cm : coefAll) if (cm[i] != 0) { used[i] = true; }
        for (boolean u : used) if (u) count++;
        supportVectors = new double[count][];
        dualCoef = new double[machines][count];
        for (int i = 0, s = 0; i < n; i++) {
            if (!used[i]) continue;
            supportVectors[s] = rows[i];
            for (int m = 0; m < machines; m++) dualCoef[m][s] = coefAll[m][i];
            s++;
        }
        return this;
    }

    /** Decision values {@code [m, features] -> [m, machines]} (one column for two classes, else one per class). */
    public Tensor decisionFunction(Tensor x) { return Inputs.rows(decision(x), dualCoef.length); }

    private double[][] decision(Tensor x) {
        Inputs.requireFitted("SVC.predict", supportVectors != null);
        double[][] rows = Inputs.matrix("SVC.predict", x, supportVectors.length == 0 ? (int) x.size(1) : supportVectors[0].length);
        double[][] out = new double[rows.length][dualCoef.length];
        double[] kv = new double[supportVectors.length];
        for (int i = 0; i < rows.length; i++) {
            for (int s = 0; s < kv.length; s++) kv[s] = kernel.apply(supportVectors[s], rows[i]);
            for (int m = 0; m < dualCoef.length; m++) {
                double v = -rho[m];
                for (int s = 0; s < kv.length; s++) v += dualCoef[m][s] * kv[s];
                out[i][m] = v;
            }
        }
        return out;
    }

    @Override
    public Tensor predict(Tensor x) {
        double[][] d = decision(x);
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) out[i] = d[i].length == 1 ? classes[d[i][0] > 0 ? 1 : 0] : classes[Argmax.of(d[i])];
        return Inputs.labels(out);
    }
}
