package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.backend.BinaryOp;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import org.junit.jupiter.api.Test;

/**
 * The CPU's scalar reference agrees with the op table the GPU kernels are generated from: the ops it
 * defines on integers are exactly those with an integer form, and GELU is the table's erfc form.
 */
class OpTableTest {

    @Test
    void theScalarReferenceDefinesOnIntegersExactlyTheOpsWithAnIntegerForm() {
        for (UnaryOp op : UnaryOp.values()) {
            boolean defined;
            try {
                ScalarMath.unaryLong(op, 3, -1, 2);
                defined = true;
            } catch (IllegalArgumentException e) {
                defined = false;
            }
            assertEquals(op.definedOnIntegers(), defined, op + ": ScalarMath.unaryLong and the op table's integer form");
            assertEquals(op.definedOnIntegers() && !op.producesBool(), op.keepsIntegerDtype(), op.toString());
        }
        for (BinaryOp op : BinaryOp.values()) {
            boolean defined;
            try {
                ScalarMath.binaryLong(op, 7, 2);
                defined = true;
            } catch (IllegalArgumentException e) {
                defined = false;
            }
            assertEquals(op.definedOnIntegers(), defined, op + ": ScalarMath.binaryLong and the op table's integer form");
        }
    }

    @Test
    void outputTypesFollowTheTable() {
        assertEquals(DType.BOOL, UnaryOp.ISNAN.outputType(DType.FLOAT32));
        assertEquals(DType.INT32, UnaryOp.ABS.outputType(DType.INT32));
        assertEquals(DType.BOOL, BinaryOp.LT.outputType(DType.INT64));
        assertEquals(DType.INT64, ReduceOp.SUM.outputType(DType.BOOL));
        assertEquals(DType.FLOAT32, ReduceOp.PROD.outputType(DType.FLOAT32));
        assertEquals(DType.INT64, ReduceOp.ARGMIN.outputType(DType.FLOAT64));
        assertTrue(BinaryOp.DIV.mayRaise() && BinaryOp.POW.mayRaise() && BinaryOp.REMAINDER.mayRaise() && !BinaryOp.ADD.mayRaise());
    }

    /** erfc(z) for z >= 2 by its continued fraction, evaluated backwards. */
    private static double erfcTail(double z) {
        double f = z;
        for (int k = 400; k >= 1; k--) f = z + (k / 2.0) / f;
        return Math.exp(-z * z) / (Math.sqrt(Math.PI) * f);
    }

    @Test
    void erfcIsAccurateInBothTailsAndGeluUsesIt() {
        for (double z : new double[]{2, 3.5, 5, 8, 15, 25}) {
            assertEquals(erfcTail(z), ScalarMath.erfc(z), 1e-13 * erfcTail(z), "erfc(" + z + ")");
            assertEquals(2 - erfcTail(z), ScalarMath.erfc(-z), 1e-15, "erfc(-" + z + ")");
        }
        for (double x : new double[]{-0.3, 0, 0.2, 0.46875}) assertEquals(1 - ScalarMath.erf(x), ScalarMath.erfc(x), 1e-16);
        // The regression: 0.5 x (1 + erf(x / sqrt 2)) is exactly 0 at x = -10; the true value is about -7.6e-23.
        double want = 0.5 * -10 * erfcTail(10 / Math.sqrt(2));
        assertEquals(want, ScalarMath.unary(UnaryOp.GELU, -10, 0, 0), 1e-12 * Math.abs(want));
        assertEquals(1.9544997361036416, ScalarMath.unary(UnaryOp.GELU, 2, 0, 0), 1e-15);
    }
}
