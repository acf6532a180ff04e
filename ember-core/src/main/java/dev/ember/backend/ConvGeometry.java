package dev.ember.backend;

/**
 * The sliding-window geometry shared by convolution and pooling: kernel size,
 * stride, zero padding and dilation along height and width, and the output
 * size they give for an {@code inH x inW} input.
 */
public record ConvGeometry(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                           int padH, int padW, int dilationH, int dilationW) {

    public ConvGeometry {
        if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0 || dilationH <= 0 || dilationW <= 0)
            throw new IllegalArgumentException("conv geometry: kernel, stride and dilation must be positive, got kernel "
                    + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW + ", dilation " + dilationH + "x" + dilationW);
        if (padH < 0 || padW < 0)
            throw new IllegalArgumentException("conv geometry: padding must be >= 0, got " + padH + "x" + padW);
    }

    public int outH() { return (inH + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH + 1; }

    public int outW() { return (inW + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW + 1; }
}
