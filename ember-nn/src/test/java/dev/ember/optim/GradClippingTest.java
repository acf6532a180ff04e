package dev.ember.optim;

import static dev.ember.nn.TorchRef.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ember.Tensor;
import dev.ember.nn.TorchRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clipping by norm (2 and infinity) and by value matches torch.nn.utils (make_nn_refs.py). */
class GradClippingTest {
    private static List<Tensor> paramsWithGrads(JsonObject ref) {
        List<Tensor> ps = new ArrayList<>();
        for (var g : ref.getAsJsonArray("grads")) {
            Tensor grad = TorchRef.tensor(g.getAsJsonObject());
            Tensor p = Tensor.zerosLike(grad).requiresGrad(true);
            p.setGrad(grad);
            ps.add(p);
        }
        return ps;
    }

    @Test
    void clipByNormMatchesPyTorch() {
        JsonObject ref = TorchRef.load("clipping.json").getAsJsonObject();
        for (String key : List.of("norm2", "norm_inf", "norm2_noop")) {
            JsonObject c = ref.getAsJsonObject(key);
            List<Tensor> ps = paramsWithGrads(ref);
            double normType = key.equals("norm_inf") ? Double.POSITIVE_INFINITY : 2;
            double total = GradClipping.clipGradNorm(ps, c.get("max_norm").getAsDouble(), normType);
            assertEquals(c.get("total").getAsDouble(), total, 1e-5 * c.get("total").getAsDouble(), key + " total norm");
            JsonArray clipped = c.getAsJsonArray("clipped");
            for (int i = 0; i < ps.size(); i++) assertClose(key + " grad " + i, clipped.get(i).getAsJsonObject(), ps.get(i).grad());
        }
    }

    @Test
    void clipByValueMatchesPyTorch() {
        JsonObject ref = TorchRef.load("clipping.json").getAsJsonObject();
        List<Tensor> ps = paramsWithGrads(ref);
        GradClipping.clipGradValue(ps, 0.8);
        JsonArray clipped = ref.getAsJsonArray("value0.8");
        for (int i = 0; i < ps.size(); i++) assertClose("grad " + i, clipped.get(i).getAsJsonObject(), ps.get(i).grad());
    }
}
