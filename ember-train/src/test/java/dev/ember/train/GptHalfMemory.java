package dev.ember.train;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.text.CharEncoder;
import dev.ember.data.text.TextCorpus;
import dev.ember.data.text.TokenWindows;
import dev.ember.nn.functional.F;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import dev.ember.testing.AllocatorStats;
import java.util.Locale;

/**
 * Issue #20's memory figures for the fortunes GPT of {@code ./ember train --model gpt --compare} (4 layers, width 128,
 * 4 heads, context 128, batch 32, the character vocabulary of the corpus), run by hand (not a unit test):
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp (ember-train's test class path) dev.ember.train.GptHalfMemory
 * </pre>
 *
 * For three ways of running one training step (float32; float32 master weights under {@code Ember.autocast(BFLOAT16)};
 * the model converted with {@code Module.to(BFLOAT16)}) it prints the bytes of the parameters, the CPU allocator's bytes
 * held after the forward pass and loss (what the graph keeps for backward, the autocast casts of the weights
 * included), and the allocator's peak over forward, loss and backward (gradients included), each measured from a
 * settled allocator with no gradients allocated. (No timings: on the shared build machine they varied by 3x between
 * identical runs; a JFR profile's proportions say more.)
 */
public final class GptHalfMemory {
    private GptHalfMemory() {}

    public static void main(String[] args) {
        TextCorpus corpus = TextCorpus.fortunes();
        CharEncoder enc = CharEncoder.fit(corpus.train(), corpus.validation());
        int[] ids = enc.encode(corpus.train());
        GPTConfig config = GPTConfig.builder(enc.vocabSize()).contextLength(128).layers(4).width(128).heads(4).build();
        DataLoader loader = DataLoader.builder(TokenWindows.random(ids, 128, 32, 42)).batchSize(32).seed(42).build();
        Batch batch = loader.iterator().next();
        System.out.printf(Locale.ROOT, "GPT %d layers, width %d, %d heads, context %d, vocab %d, batch 32; %d threads%n", config.layers(),
                config.width(), config.heads(), config.contextLength(), config.vocabSize(), Ember.numThreads());
        System.out.println("| run | parameters | after forward + loss | peak over forward, loss, backward |");
        System.out.println("|---|---:|---:|---:|");
        String[] names = {"float32", "float32 masters, autocast BFLOAT16", "Module.to(BFLOAT16)"};
        for (int mode = 0; mode < 3; mode++) {
            Ember.manualSeed(1);
            GPT model = new GPT(config);
            if (mode == 2) model.to(DType.BFLOAT16);
            long paramBytes = model.parameters().stream().mapToLong(p -> p.numel() * p.dtype().byteSize()).sum();
            step(model, batch, mode == 1); // warm: the allocator's size classes and the JIT
            model.zeroGrad();
            Device cpu = Device.cpu();
            long before = AllocatorStats.settle(cpu);
            Ember.resetPeakMemoryStats(cpu);
            long afterForward, peak;
            try (var scope = Ember.scope()) {
                Tensor loss;
                try (var ac = mode == 1 ? Ember.autocast(DType.BFLOAT16) : null) {
                    loss = loss(model, batch, config.vocabSize());
                }
                afterForward = Ember.memoryStats(cpu).allocated() - before;
                loss.backward();
                peak = Ember.memoryStats(cpu).peak() - before;
            }
            System.out.printf(Locale.ROOT, "| %s | %.2f MiB | %.1f MiB | %.1f MiB |%n", names[mode], paramBytes / 1048576.0,
                    afterForward / 1048576.0, peak / 1048576.0);
        }
    }

    private static Tensor loss(GPT model, Batch b, int vocab) {
        return F.crossEntropy(model.forward(b.inputs()).reshape(-1, vocab), b.targets().reshape(-1));
    }

    private static void step(GPT model, Batch b, boolean autocast) {
        try (var scope = Ember.scope()) {
            Tensor loss;
            try (var ac = autocast ? Ember.autocast(DType.BFLOAT16) : null) {
                loss = loss(model, b, model.config().vocabSize());
            }
            loss.backward();
        }
    }
}
