package dev.ember.nn;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;

/**
 * Batch normalisation over every dim but the channel dim 1, shared by {@link BatchNorm1d}
 * and {@link BatchNorm2d}. Training normalises with the batch's mean and biased variance and
 * updates the running statistics with {@code momentum} (the unbiased variance, as PyTorch);
 * evaluation uses the running statistics. Buffers: running_mean, running_var, num_batches_tracked.
 */
public abstract sealed class BatchNorm extends Module permits BatchNorm1d, BatchNorm2d {
    private final int features;
    private final double eps, momentum;
    private final Parameter weight, bias, runningMean, runningVar, batchesTracked;

    BatchNorm(int features, double eps, double momentum, boolean affine) {
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", Tensor.ones(features)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(features)) : null;
        this.runningMean = registerBuffer("running_mean", Tensor.zeros(features));
        this.runningVar = registerBuffer("running_var", Tensor.ones(features));
        this.batchesTracked = registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64));
    }

    abstract void checkInput(Tensor x);

    /** The running mean {@code [features]}. */
    public Tensor runningMean() { return runningMean.value(); }

    /** The running (unbiased) variance {@code [features]}. */
    public Tensor runningVar() { return runningVar.value(); }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        if (x.size(1) != features)
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + features + "): input has " + x.size(1)
                    + " channels in dim 1, shape " + java.util.Arrays.toString(x.shape()));
        int[] dims = reduceDims(x.dim());
        long[] statShape = new long[x.dim()];
        java.util.Arrays.fill(statShape, 1);
        statShape[1] = features;
        Tensor mean, var;
        if (isTraining()) {
            long n = x.numel() / features;
            if (n <= 1) throw new IllegalArgumentException(getClass().getSimpleName() + ": expected more than 1 value per channel when training, got shape "
                    + java.util.Arrays.toString(x.shape()));
            mean = x.mean(dims, true);
            var = x.sub(mean).square().mean(dims, true);
            try (var ignored = Ember.noGrad()) {
                Tensor m = mean.reshape(features), unbiased = var.reshape(features).mul((double) n / (n - 1));
                runningMean.value().mulInPlace(1 - momentum).addInPlace(m, momentum);
                runningVar.value().mulInPlace(1 - momentum).addInPlace(unbiased, momentum);
                batchesTracked.value().addInPlace(Tensor.scalar(1, DType.INT64).to(x.device()));
            }
        } else {
            mean = runningMean.value().reshape(statShape);
            var = runningVar.value().reshape(statShape);
        }
        Tensor y = x.sub(mean).mul(var.add(eps).rsqrt());
        if (weight != null) y = y.mul(weight.value().reshape(statShape)).add(bias.value().reshape(statShape));
        return y;
    }

    private static int[] reduceDims(int rank) {
        int[] dims = new int[rank - 1];
        dims[0] = 0;
        for (int d = 2; d < rank; d++) dims[d - 1] = d;
        return dims;
    }

    @Override
    public String toString() { return getClass().getSimpleName() + "(" + features + ", eps=" + eps + ", momentum=" + momentum + ")"; }
}
