package dev.ember.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Fused;
import dev.ember.Tensor;
import dev.ember.backend.Backends;
import dev.ember.backend.MemoryStats;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Use after close, on every device present: a closed tensor (or any view of its storage) can be
 * neither read nor written, each attempt names the op, backward through a node whose saved tensor was
 * closed names the node, and on a GPU a closed tensor's block, reused by the next tensor, stays that
 * tensor's alone.
 */
class TensorLifetimeTest {

    static Stream<String> devices() { return Stream.of("cpu", "opencl"); }

    private static Device device(String name) {
        if (name.equals("cpu")) return Device.cpu();
        Backends.Family f = Backends.family(Device.OPENCL_TYPE);
        assumeTrue(f.available(), () -> "no OpenCL device: " + f.reason());
        return Device.opencl();
    }

    private static Tensor filled(Device d, double value, long... shape) {
        return Tensor.full(value, DType.FLOAT32, shape).to(d);
    }

    /** Asserts that {@code op} throws IllegalStateException with exactly {@code message}. */
    private static void closedError(String message, Runnable op) {
        IllegalStateException e = assertThrows(IllegalStateException.class, op::run);
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void everyOpOnAClosedTensorThrowsNamingTheOp(String name) {
        Device d = device(name);
        Tensor x = filled(d, 1, 3, 4), y = filled(d, 2, 3, 4);
        x.close();
        assertTrue(x.isClosed());
        String tail = ": tensor [3, 4] on " + d + " was closed";
        closedError("add" + tail, () -> x.add(y));
        closedError("add" + tail, () -> y.add(x));
        closedError("mul" + tail, () -> x.mul(2.0));
        closedError("exp" + tail, x::exp);
        closedError("sum" + tail, x::sum);
        closedError("matmul" + tail, () -> x.matmul(y.t()));
        closedError("toFloatArray" + tail, x::toFloatArray);
        Tensor one = filled(d, 5, 1);
        one.close();
        closedError("item: tensor [1] on " + d + " was closed", one::item);
        closedError("addInPlace" + tail, () -> x.addInPlace(y));
        closedError("copyFrom" + tail, () -> y.copyFrom(x));
        closedError("clone" + tail, x::clone);
        closedError("to" + tail, () -> x.to(DType.FLOAT64));
        closedError("view" + tail, () -> x.view(12));
        closedError("detach" + tail, x::detach);
        closedError("gather" + tail, () -> x.gather(1, Tensor.zeros(DType.INT64, 3, 1).to(d)));
        // metadata stays readable, and printing describes rather than throws
        assertArrayEquals(new long[]{3, 4}, x.shape());
        assertEquals(DType.FLOAT32, x.dtype());
        assertEquals("tensor(<closed>, size=[3, 4], dtype=FLOAT32, device=" + d + ")", x.toString());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void viewsOfAClosedStorageAreClosedAndClosingTwiceIsHarmless(String name) {
        Device d = device(name);
        Tensor x = filled(d, 1, 3, 4);
        Tensor before = x.view(2, 6), transposed = x.t();
        x.close();
        x.close();
        assertTrue(before.isClosed());
        closedError("neg: tensor [2, 6] on " + d + " was closed", before::neg);
        closedError("sum: tensor [4, 3] on " + d + " was closed", transposed::sum);
        closedError("fillInPlace: tensor [2, 6] on " + d + " was closed", () -> before.fillInPlace(3));
        before.close(); // a view of a released storage closes without complaint
    }

    @ParameterizedTest
    @MethodSource("devices")
    void closingAViewClosesThatHandleOnly(String name) {
        Device d = device(name);
        Tensor x = filled(d, 1, 3, 4);
        Tensor v = x.narrow(0, 1, 2);
        v.close();
        closedError("sum: tensor [2, 4] on " + d + " was closed", v::sum);
        assertFalse(x.isClosed());
        assertEquals(12.0, x.sum().item());
    }

    /**
     * The regression: a closed tensor's block goes back to the cache and the next tensor of that size
     * gets it. Writing through the closed tensor used to overwrite the new one, silently.
     */
    @Test
    void aClosedGpuTensorCannotWriteIntoTheTensorThatReusesItsBlock() {
        Device d = device("opencl");
        Tensor a = filled(d, 1, 1024);
        MemoryStats held = Ember.memoryStats(d);
        a.close();
        Tensor b = Tensor.zeros(1024).to(d);
        assertEquals(held.reserved(), Ember.memoryStats(d).reserved(), "b reuses a's cached block");
        closedError("fillInPlace: tensor [1024] on " + d + " was closed", () -> a.fillInPlace(7));
        closedError("mulInPlace: tensor [1024] on " + d + " was closed", () -> a.mulInPlace(3.0));
        assertEquals(0.0, b.abs().sum().item(), "b still holds its own zeros");
        b.close();
    }

    /** Backward reads what ops saved; a saved tensor closed in between must not feed a gradient. */
    @ParameterizedTest
    @MethodSource("devices")
    void backwardThroughANodeWhoseSavedTensorWasClosedThrowsNamingTheNode(String name) {
        Device d = device(name);
        savedTensorClosed(d, "exp (ExpBackward0)", x -> {
            Tensor y = x.exp(); // saves its output
            Tensor loss = y.sum();
            y.close();
            overwriteFreedBlocks(d, 4);
            loss.backward();
        });
        savedTensorClosed(d, "mul (MulBackward0)", x -> {
            Tensor w = filled(d, 3, 4);
            Tensor loss = x.mul(w).sum();
            w.close();
            overwriteFreedBlocks(d, 4);
            loss.backward();
        });
        savedTensorClosed(d, "gather (GatherBackward0)", x -> {
            Tensor idx = Tensor.of(new long[]{3, 0}).to(d);
            Tensor loss = x.gather(0, idx).sum();
            idx.close();
            loss.backward();
        });
        savedTensorClosed(d, "max (MaxBackward0)", x -> {
            Tensor.ValuesIndices m = x.view(2, 2).maxWithIndices(1, false);
            Tensor loss = m.values().sum();
            m.indices().close();
            loss.backward();
        });
    }

    private static void savedTensorClosed(Device d, String node, Consumer<Tensor> program) {
        Tensor x = Tensor.of(new float[]{0.5f, -1f, 2f, 0.25f}).to(d).requiresGrad(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> program.accept(x));
        assertTrue(e.getMessage().startsWith("backward: a tensor of shape ["), e.getMessage());
        assertTrue(e.getMessage().contains(" on " + d + " needed for the gradient of " + node + " was closed before backward"),
                e.getMessage());
        assertEquals(null, x.grad(), "no gradient was accumulated");
    }

    /** Takes freed blocks of {@code n} floats back from the cache and fills them with garbage. */
    private static void overwriteFreedBlocks(Device d, int n) {
        for (int i = 0; i < 4; i++) filled(d, 1e6, n);
    }

    @ParameterizedTest
    @MethodSource("devices")
    void backwardFromAClosedTensorAndOptimizerStepsOnClosedTensorsThrow(String name) {
        Device d = device(name);
        Tensor x = filled(d, 1, 4).requiresGrad(true);
        Tensor loss = x.mul(2.0).sum();
        loss.close();
        closedError("backward: tensor [] on " + d + " was closed", loss::backward);
        Tensor p = filled(d, 1, 4), g = filled(d, 1, 4);
        g.close();
        try (var ignored = Ember.noGrad()) {
            closedError("sgdStep: tensor [4] on " + d + " was closed",
                    () -> Fused.sgdStep(p, g, null, 0.1, 0, 0, 0, false, true));
        }
    }
}
