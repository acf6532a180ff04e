package dev.ember.llm.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Freeze tuning: the last N blocks, named modules, patterns. */
class FreezeTest {
    static GPT gpt() { return new GPT(GPTConfig.builder(10).contextLength(8).layers(3).width(8).heads(2).build()); }

    @Test
    void lastBlocksTrainsOnlyThoseBlocksAndExtras() {
        GPT g = gpt();
        List<String> trained = Freeze.lastBlocks(g, 1, List.of(), List.of("ln_f"));
        assertTrue(trained.stream().allMatch(n -> n.startsWith("h.2.") || n.startsWith("ln_f.")), trained.toString());
        assertEquals(12 + 2, trained.size()); // 12 tensors per block (2 LayerNorms, 4 Linears with biases) + ln_f
        g.namedParameters().forEach((n, p) -> assertEquals(trained.contains(n), p.requiresGrad(), n));
        List<String> mlp = Freeze.lastBlocks(gpt(), 2, List.of("mlp"), List.of());
        assertEquals(List.of("h.1.mlp.c_fc.weight", "h.1.mlp.c_fc.bias", "h.1.mlp.c_proj.weight", "h.1.mlp.c_proj.bias", "h.2.mlp.c_fc.weight",
                "h.2.mlp.c_fc.bias", "h.2.mlp.c_proj.weight", "h.2.mlp.c_proj.bias"), mlp);
        long count = 2 * (8 * 32 + 32 + 32 * 8 + 8);
        GPT m = gpt();
        Freeze.lastBlocks(m, 2, List.of("mlp"), List.of());
        assertEquals(count, Freeze.trainableCount(m));
    }

    @Test
    void patternsAndBadInput() {
        GPT g = gpt();
        assertEquals(List.of("wte.weight"), Freeze.trainOnly(g, "wte\\..*"));
        assertThrows(IllegalArgumentException.class, () -> Freeze.trainOnly(gpt(), "nothing"));
        assertThrows(IllegalArgumentException.class, () -> Freeze.lastBlocks(gpt(), 4, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> Freeze.lastBlocks(gpt(), 1, List.of("attention"), List.of()));
    }
}
