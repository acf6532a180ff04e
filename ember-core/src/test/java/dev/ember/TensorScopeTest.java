package dev.ember;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link TensorScope}: what a scope releases when it closes, what it keeps (kept tensors, views' bases,
 * gradients, escaped state, tensors of other threads), that a released tensor fails loudly naming the op,
 * and that scopes change no gradient: the same computation gives the same bits inside and outside them.
 */
class TensorScopeTest {

    private static void closedError(String message, Runnable op) {
        IllegalStateException e = assertThrows(IllegalStateException.class, op::run);
        assertEquals(message, e.getMessage());
    }

    @Test
    void everyTensorCreatedInsideIsReleasedAtClose() {
        Tensor outside = Tensor.ones(2, 3);
        Tensor a, b, c;
        try (var s = Ember.scope()) {
            a = Tensor.ones(2, 3);
            b = a.add(outside);
            c = b.exp().sum();
            assertEquals(4, s.size(), "ones, add, exp, sum");
            assertTrue(s.holds(b) && !s.holds(outside));
        }
        assertTrue(a.isClosed() && b.isClosed() && c.isClosed());
        assertFalse(outside.isClosed(), "a tensor made before the scope is not the scope's");
        closedError("add: tensor [2, 3] on cpu was closed", () -> b.add(outside));
        closedError("item: tensor [] on cpu was closed", c::item);
        assertEquals(6.0, outside.sum().item());
    }

    @Test
    void keptTensorsSurviveTheirScopeAndBelongToTheEnclosingOne() {
        Tensor kept, dropped;
        try (var outer = Ember.scope()) {
            try (var inner = Ember.scope()) {
                kept = inner.keep(Tensor.full(2, 4));
                dropped = Tensor.full(3, 4);
            }
            assertTrue(dropped.isClosed());
            assertEquals(8.0, kept.sum().item(), "kept past the inner scope");
            assertTrue(outer.holds(kept), "a kept tensor becomes the enclosing scope's");
        }
        assertTrue(kept.isClosed(), "the enclosing scope releases it in turn");
        Tensor y;
        try (var only = Ember.scope()) {
            y = only.keep(Tensor.full(5, 2));
        }
        assertEquals(10.0, y.sum().item(), "kept at the outermost level: no scope releases it");
    }

    @Test
    void scopedKeepsOnlyWhatTheBodyReturns() {
        List<Tensor> made = new ArrayList<>();
        Tensor r = Ember.scoped(() -> {
            Tensor t = Tensor.full(2, 3);
            made.add(t);
            return t.mul(t);
        });
        assertTrue(made.getFirst().isClosed());
        assertArrayEquals(new float[]{4, 4, 4}, r.toFloatArray());
    }

    @Test
    void aViewKeepsItsBaseAliveAndReleasingTheBaseClosesItsViews() {
        Tensor base, view, other;
        try (var s = Ember.scope()) {
            base = Tensor.arange(0, 6, 1).reshape(2, 3);
            view = s.keep(base.t().narrow(0, 1, 2)); // a view of base: keeping it keeps base's memory
            other = base.reshape(6);                 // another view, not kept itself
        }
        assertFalse(base.isClosed(), "the kept view's base stays");
        assertArrayEquals(new long[]{1, 4, 2, 5}, view.contiguous().toLongArray());
        assertArrayEquals(new long[]{0, 1, 2, 3, 4, 5}, other.toLongArray(), "views share the kept memory");
        Tensor v2;
        try (var s = Ember.scope()) {
            Tensor b = Tensor.ones(4);
            v2 = b.narrow(0, 0, 2);
            assertTrue(s.holds(v2), "a view is held through its base");
        }
        closedError("sum: tensor [2] on cpu was closed", v2::sum);
    }

    @Test
    void useAfterReleaseAndKeepAfterReleaseThrowNamingTheOp() {
        Tensor t;
        TensorScope s = Ember.scope();
        t = Tensor.ones(3, 4);
        assertTrue(s.release(t), "released early, on request");
        closedError("relu: tensor [3, 4] on cpu was closed", t::relu);
        closedError("keep: tensor [3, 4] on cpu was closed", () -> s.keep(t));
        assertFalse(s.release(t), "released once only");
        t.close(); // closing a released tensor again is harmless, as closing twice always was
        s.close();
        s.close(); // so is closing a scope twice
        closedError("keep: the scope is closed; keep tensors before it closes", () -> s.keep(Tensor.ones(1)));
    }

    @Test
    void closingAnOuterScopeClosesTheScopesStillOpenInsideIt() {
        TensorScope outer = Ember.scope();
        TensorScope inner = Ember.scope();
        Tensor t = Tensor.ones(2);
        outer.close();
        assertTrue(t.isClosed());
        assertEquals(null, TensorScope.current());
        inner.close(); // already closed with the outer one
        Tensor after = Tensor.ones(2);
        assertFalse(after.isClosed());
    }

    @Test
    void escapedTensorsAndTensorsOfOtherThreadsAreNoScopesToRelease() throws Exception {
        AtomicReference<Tensor> fromThread = new AtomicReference<>();
        Tensor escaped;
        try (var s = Ember.scope()) {
            escaped = TensorScope.escape(Tensor.ones(3));
            Thread worker = new Thread(() -> fromThread.set(Tensor.ones(2)));
            worker.start();
            worker.join();
            assertFalse(s.holds(fromThread.get()));
        }
        assertEquals(3.0, escaped.sum().item());
        assertEquals(2.0, fromThread.get().sum().item());
    }

    @Test
    void aScopeBelongsToItsThread() throws Exception {
        TensorScope s = Ember.scope();
        AtomicReference<Throwable> err = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                s.close();
            } catch (Throwable e) {
                err.set(e);
            }
        }, "other");
        other.start();
        other.join();
        s.close();
        assertNotNull(err.get());
        assertTrue(err.get().getMessage().startsWith("TensorScope.close: a scope belongs to the thread that opened it"), err.get().getMessage());
    }

    /** A small network's loss: conv, pooling, views, broadcasting, a shared input, log-softmax and gather. */
    private static Tensor loss(Tensor x, Tensor w, Tensor b, Tensor v, Tensor target) {
        Tensor h = x.conv2d(w, b, 1, 1).relu().maxPool2d(2);            // [2, 3, 2, 2]
        Tensor flat = h.reshape(2, 12);
        Tensor logits = flat.matmul(v).add(flat.narrow(1, 0, 4).mul(0.5)); // flat used twice
        Tensor logp = logits.logSoftmax(1);
        return logp.gather(1, target).neg().mean().add(w.square().sum().mul(1e-3));
    }

    private static List<Tensor> leaves() {
        Ember.manualSeed(7);
        return List.of(Tensor.randn(2, 1, 4, 4), Tensor.randn(3, 1, 3, 3).requiresGrad(true), Tensor.randn(3).requiresGrad(true),
                Tensor.randn(12, 4).requiresGrad(true));
    }

    private static List<float[]> gradients(Function<List<Tensor>, Tensor> step, int steps) {
        List<Tensor> p = leaves();
        for (int i = 0; i < steps; i++) step.apply(p); // gradients accumulate across steps
        List<float[]> g = new ArrayList<>();
        for (Tensor t : p.subList(1, 4)) g.add(t.grad().toFloatArray());
        return g;
    }

    @Test
    void gradientsAreTheSameBitsWithAndWithoutScopesAndAccumulateAcrossScopes() {
        Tensor target = Tensor.of(new long[]{1, 3}, 2, 1);
        Function<List<Tensor>, Tensor> plain = p -> {
            Tensor l = loss(p.get(0), p.get(1), p.get(2), p.get(3), target);
            l.backward();
            return l;
        };
        Function<List<Tensor>, Tensor> scoped = p -> {
            try (var s = Ember.scope()) {
                Tensor l = loss(p.get(0), p.get(1), p.get(2), p.get(3), target);
                l.backward();
                return null;
            }
        };
        List<float[]> expected = gradients(plain, 2), actual = gradients(scoped, 2);
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i), 0f, "gradient " + i);
    }

    @Test
    void aReplacedGradientGoesToTheScopeOpenWhenItIsReplaced() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        try (var s = Ember.scope()) {
            w.mul(2.0).sum().backward();
        }
        Tensor first = w.grad();
        assertArrayEquals(new float[]{2, 2, 2}, first.toFloatArray(), "a gradient escapes the scope of its backward");
        try (var s = Ember.scope()) {
            w.setGrad(null); // zeroGrad
            assertTrue(s.holds(first), "the replaced gradient is this scope's now");
            w.mul(3.0).sum().backward();
            assertFalse(first.isClosed(), "usable until the scope ends");
        }
        assertTrue(first.isClosed());
        assertArrayEquals(new float[]{3, 3, 3}, w.grad().toFloatArray());
        Tensor mine = Tensor.zeros(3);
        w.setGrad(mine);
        try (var s = Ember.scope()) {
            w.setGrad(null);
        }
        assertFalse(mine.isClosed(), "a gradient the caller set is the caller's");
    }

    @Test
    void backwardAfterTheScopeOfTheGraphClosedThrowsNamingTheNode() {
        Tensor x = Tensor.of(new float[]{1, 2}).requiresGrad(true);
        Tensor loss;
        try (var s = Ember.scope()) {
            loss = s.keep(x.exp().sum());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("needed for the gradient of exp (ExpBackward0)") && e.getMessage().contains("was closed"),
                e.getMessage());
    }

    @Test
    void backwardReturnsNothingOfItsOwnToTheCallersScope() {
        Tensor x = Tensor.randn(4, 5).requiresGrad(true);
        try (var s = Ember.scope()) {
            Tensor y = x.matmul(x.t()).tanh().sum();
            Tensor one = Tensor.onesLike(y);
            int forward = s.size();
            y.backward(one);
            assertEquals(forward, s.size(), "backward's gradients and temporaries are its own (x.grad escapes)");
            assertSame(null, x.grad().gradFn());
            assertFalse(s.holds(x.grad()));
        }
        assertFalse(x.grad().isClosed());
    }

    /**
     * Ops whose result is a reshaped or squeezed view of a tensor the op made (reductions along dims, arg/max along a
     * dim, logsumexp, products with a vector operand, avg pooling, a grouped convolution, indexing a 0-d tensor):
     * closing the result releases the memory (the view took it over), a scope releases it unless kept, and the
     * operands stay usable.
     */
    @Test
    void closingAResultThatIsAViewOfTheOpsOwnTensorReleasesItsMemory() {
        Ember.manualSeed(3);
        Tensor x = Tensor.randn(4, 6), v = Tensor.randn(6), img = Tensor.randn(2, 4, 6, 6), w = Tensor.randn(4, 2, 3, 3);
        List<Function<Tensor, Tensor>> ops = List.of(
                t -> x.sum(1), t -> x.sum(new int[]{0, 1}, false), t -> x.argmax(1), t -> x.argmax(),
                t -> x.max(1), t -> x.maxWithIndices(0, false).indices(), t -> x.logsumexp(1, false),
                t -> x.matmul(v), t -> v.matmul(x.t()), t -> x.matmul(x.t()), t -> img.avgPool2d(2),
                t -> img.conv2d(w, null, new int[]{1, 1}, new int[]{1, 1}, new int[]{1, 1}, 2),
                t -> Tensor.scalar(5).indexSelect(0, Tensor.zeros(DType.INT64, 1)));
        for (int i = 0; i < ops.size(); i++) {
            Tensor r = ops.get(i).apply(null);
            double first = r.reshape(-1).narrow(0, 0, 1).item();
            assertFalse(r.storage.isReleased(), "op " + i);
            r.close();
            assertTrue(r.storage.isReleased(), "op " + i + ": closing its result " + Shapes.str(r.shape) + " releases the memory");
            Tensor kept, dropped;
            try (var s = Ember.scope()) {
                kept = s.keep(ops.get(i).apply(null));
                dropped = ops.get(i).apply(null);
                assertTrue(s.holds(dropped), "op " + i);
            }
            assertTrue(dropped.isClosed(), "op " + i + ": the scope released the result it did not keep");
            assertEquals(first, kept.reshape(-1).narrow(0, 0, 1).item(), 0.0, "op " + i + ": the kept result stays");
            kept.close();
            assertTrue(kept.storage.isReleased(), "op " + i);
        }
        for (Tensor operand : List.of(x, v, img, w)) assertFalse(operand.isClosed(), "operands are never released");
        assertEquals(x.sum().item(), x.sum(1).sum().item(), 1e-4);
    }
}
