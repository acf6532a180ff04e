package dev.ember.testing;

import com.google.gson.JsonObject;
import dev.ember.Tensor;

/** Float32 tensors from the reference files that the PyTorch scripts write: {@code {"shape": [...], "data": [...]}}. */
public final class JsonTensors {
    private JsonTensors() {}

    /** The tensor {@code o} describes, float32, data in row-major order. */
    public static Tensor of(JsonObject o) {
        var shape = o.getAsJsonArray("shape");
        var data = o.getAsJsonArray("data");
        long[] s = new long[shape.size()];
        for (int i = 0; i < s.length; i++) s[i] = shape.get(i).getAsLong();
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) v[i] = data.get(i).getAsFloat();
        return Tensor.of(v).reshape(s);
    }
}
