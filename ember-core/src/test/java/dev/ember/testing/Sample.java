package dev.ember.testing;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Tensor;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * One way to call an op, as PyTorch's {@code SampleInput}: tensor inputs (with their values, shapes and
 * layouts) and named parameters. {@code gradcheck} marks the samples small enough for finite differences;
 * the gradcheck suite runs those only. {@code only}, when not null, limits the dtypes the sample runs in
 * (e.g. NaN inputs, which an integer tensor cannot hold).
 */
public record Sample(String label, List<Input> inputs, Params params, boolean gradcheck, Set<DType> only) {

    public Sample {
        inputs = List.copyOf(inputs);
        only = only == null ? null : Set.copyOf(only);
    }

    public Sample(String label, List<Input> inputs, Params params, boolean gradcheck) { this(label, inputs, params, gradcheck, null); }

    /** Whether this sample runs in {@code dtype}. */
    public boolean runsIn(DType dtype) { return only == null || only.contains(dtype); }

    /** A copy that runs in {@code dtypes} only. */
    public Sample only(DType... dtypes) { return new Sample(label, inputs, params, gradcheck, Set.of(dtypes)); }

    /** A copy marked (or not) for the gradcheck suite. */
    public Sample grad(boolean g) { return new Sample(label, inputs, params, g, only); }

    /** The inputs as tensors of the dtype under test (data inputs) on {@code device}, in their layouts. */
    public Tensor[] tensors(DType tested, Device device) {
        Tensor[] t = new Tensor[inputs.size()];
        for (int i = 0; i < t.length; i++) t[i] = inputs.get(i).tensor(tested, device);
        return t;
    }

    /** The inputs' float64 references: the values the tensors hold. */
    public Ref[] refs(DType tested) {
        Ref[] r = new Ref[inputs.size()];
        for (int i = 0; i < r.length; i++) r[i] = inputs.get(i).ref(tested);
        return r;
    }

    /** The largest input's element count. */
    public int maxNumel() {
        int n = 0;
        for (Input in : inputs) n = Math.max(n, in.numel());
        return n;
    }

    /** A copy with {@code params} replaced. */
    public Sample withParams(Params p) { return new Sample(label, inputs, p, gradcheck, only); }

    /** A copy with {@code inputs} replaced. */
    public Sample withInputs(List<Input> in) { return new Sample(label, in, params, gradcheck, only); }

    /** {@code label: [3, 4] transposed, [4]; dim=1} for failure messages. */
    public String describe(DType tested) {
        StringJoiner j = new StringJoiner(", ", label.isEmpty() ? "" : label + ": ", "");
        for (Input in : inputs) j.add(in.describe(tested));
        String p = params.toString();
        return j + (p.isEmpty() ? "" : "; " + p);
    }
}
