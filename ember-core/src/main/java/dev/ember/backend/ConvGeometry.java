package dev.ember.backend;

/**
 * The sliding-window geometry shared by convolution and pooling: kernel size,
 * stride, zero padding and dilation along height and width, and the output
 * size they give for an {@code inH x inW} input.
 *
 * <p>Every op that computes an output size goes through this record, and the record
 * refuses a geometry whose output would be empty or larger than an int: the output size
 * is {@code floor((in + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1}, and with
 * Java's truncating division a window larger than the padded input would otherwise give
 * 1 instead of 0 when the stride is above 1. The arithmetic is in {@code long}, so huge
 * padding, dilation or kernels cannot wrap around either. {@link #of} does the same
 * checks with messages that name the op, as PyTorch does.
 */
public record ConvGeometry(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                           int padH, int padW, int dilationH, int dilationW) {

    public ConvGeometry {
        String problem = problem(inH, inW, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW);
        if (problem != null) throw new IllegalArgumentException("conv geometry: " + problem);
    }

    /**
     * The geometry, checked with PyTorch's rules; an error names {@code op} and the sizes.
     *
     * @throws IllegalArgumentException for a kernel, stride or dilation below 1, negative padding, or a
     *                                  (dilated) kernel larger than the padded input
     */
    public static ConvGeometry of(String op, int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                                  int padH, int padW, int dilationH, int dilationW) {
        String problem = problem(inH, inW, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW);
        if (problem != null) throw new IllegalArgumentException(op + ": " + problem);
        return new ConvGeometry(inH, inW, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW);
    }

    public int outH() { return (int) outSize(inH, kernelH, strideH, padH, dilationH); }

    public int outW() { return (int) outSize(inW, kernelW, strideW, padW, dilationW); }

    /** The number of window positions along one axis, or a value below 1 when none fits; never overflows. */
    private static long outSize(int in, int kernel, int stride, int pad, int dilation) {
        long span = span(kernel, dilation), padded = padded(in, pad);
        return padded < span ? 0 : (padded - span) / stride + 1; // both sides non-negative: floor division
    }

    private static long span(int kernel, int dilation) { return (long) dilation * (kernel - 1) + 1; }

    private static long padded(int in, int pad) { return in + 2L * pad; }

    /** What is wrong with a geometry, or null. */
    private static String problem(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                                  int padH, int padW, int dilationH, int dilationW) {
        if (kernelH <= 0 || kernelW <= 0)
            return "kernel size should be greater than zero, but got " + kernelH + "x" + kernelW;
        if (strideH <= 0 || strideW <= 0)
            return "stride should be greater than zero, but got " + strideH + "x" + strideW;
        if (dilationH <= 0 || dilationW <= 0)
            return "dilation should be greater than zero, but got " + dilationH + "x" + dilationW;
        if (padH < 0 || padW < 0)
            return "padding should be non-negative, but got " + padH + "x" + padW;
        if (inH < 0 || inW < 0)
            return "input size should be non-negative, but got " + inH + "x" + inW;
        long spanH = span(kernelH, dilationH), spanW = span(kernelW, dilationW);
        long paddedH = padded(inH, padH), paddedW = padded(inW, padW);
        if (spanH > paddedH || spanW > paddedW)
            return "kernel size " + kernelH + "x" + kernelW + " with dilation " + dilationH + "x" + dilationW + " spans "
                    + spanH + "x" + spanW + ", which is larger than the padded input " + paddedH + "x" + paddedW + " (input "
                    + inH + "x" + inW + ", padding " + padH + "x" + padW + "); the output would be empty";
        long outH = outSize(inH, kernelH, strideH, padH, dilationH), outW = outSize(inW, kernelW, strideW, padW, dilationW);
        if (outH > Integer.MAX_VALUE || outW > Integer.MAX_VALUE)
            return "the output size " + outH + "x" + outW + " (input " + inH + "x" + inW + ", kernel " + kernelH + "x" + kernelW
                    + ", stride " + strideH + "x" + strideW + ", padding " + padH + "x" + padW + ", dilation " + dilationH + "x"
                    + dilationW + ") is too large; sizes are at most 2^31 - 1";
        return null;
    }
}
