package dev.ember.testing.ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Public {@code Tensor} methods that are not ops, so have no entry in the op table, each with the reason and
 * the tests that cover it instead. Keep this list short: anything that computes a tensor from tensors is an op.
 */
public final class NonOps {
    private NonOps() {}

    /** Method signature ({@code name(Type,Type)}) to the reason it has no entry. */
    public static final Map<String, String> METHODS = build();

    private static Map<String, String> build() {
        Map<String, String> m = new LinkedHashMap<>();
        String property = "a property of the tensor's metadata, not an op (TensorCoreTest, ViewBoundsTest)";
        for (String s : new String[]{"shape()", "size(int)", "stride()", "storageOffset()", "dim()", "numel()", "dtype()", "device()",
                "isContiguous()", "version()"})
            m.put(s, property);
        m.put("toString()", "printing (TensorCoreTest)");
        String autograd = "autograd state and the backward pass, not an op (AutogradTest, PostAccumulateGradHookTest, GradCheckTest)";
        for (String s : new String[]{"requiresGrad(boolean)", "requiresGrad()", "grad()", "setGrad(Tensor)", "gradFn()", "isLeaf()", "retainGrad()",
                "retainsGrad()", "registerPostAccumulateGradHook(Consumer)", "postAccumulateGradHooks()", "backward()", "backward(Tensor)",
                "backward(Tensor,boolean)", "accumulateGrad(Tensor)", "accumulateGrad(Tensor,boolean)"})
            m.put(s, autograd);
        String lifetime = "the tensor's lifetime, not an op (ember-opencl's TensorLifetimeTest, the closing tests of ember-cuda)";
        m.put("close()", lifetime);
        m.put("isClosed()", lifetime);
        m.put("strided()", "the storage view handed to native interop (NCCL), not an op");
        return m;
    }
}
