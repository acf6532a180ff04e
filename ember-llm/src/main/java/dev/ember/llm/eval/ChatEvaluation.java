package dev.ember.llm.eval;

import dev.ember.Ember;
import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.llm.chat.ChatGenerator;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.chat.EncodedChat;
import dev.ember.llm.data.Conversation;
import dev.ember.llm.data.SftDataset;
import dev.ember.llm.tune.CausalLm;
import dev.ember.metrics.Perplexity;
import dev.ember.nn.lm.GenerationConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation of a chat model on held-out conversations: the perplexity of their assistant answers given the prompts
 * (teacher forcing, {@link Perplexity#ignoring}), and the answers it generates (greedy) scored against the references by
 * SQuAD's exact match and token F1 ({@link AnswerMetrics}), averaged over the conversations.
 */
public final class ChatEvaluation {
    private ChatEvaluation() {}

    /** One generated answer beside its question and reference. */
    public record Sample(String question, String reference, String answer, double exactMatch, double f1) {}

    /** Perplexity of the answers, mean exact match and F1 of generated answers, and every sample. */
    public record Report(double perplexity, double exactMatch, double f1, List<Sample> samples) {
        /** Number of conversations whose answers were generated. */
        public int size() { return samples.size(); }
    }

    /** The perplexity of the assistant tokens of {@code conversations} under {@code generator}'s model and template. */
    public static double perplexity(ChatGenerator generator, List<Conversation> conversations) {
        List<EncodedChat> encoded = new ArrayList<>();
        for (Conversation c : conversations) encoded.add(generator.template().encode(c.messages(), generator.tokenizer()));
        SftDataset rows = SftDataset.of(encoded, generator.model().config().contextLength(), false);
        CausalLm lm = new CausalLm(generator.model(), null);
        Perplexity ppl = Perplexity.ignoring(EncodedChat.IGNORE_INDEX);
        boolean training = generator.model().isTraining();
        generator.model().eval();
        try (var ignored = Ember.noGrad()) {
            for (Batch b : DataLoader.builder(rows).batchSize(8).build()) ppl.update(lm.forward(b.inputs()), b.targets());
        } finally {
            generator.model().train(training);
        }
        return ppl.compute();
    }

    /**
     * The report on {@code conversations}: perplexity over all of them, answers generated greedily (at most
     * {@code maxNewTokens}) for each one's last assistant turn.
     */
    public static Report evaluate(ChatGenerator generator, List<Conversation> conversations, int maxNewTokens) {
        double ppl = perplexity(generator, conversations);
        GenerationConfig g = GenerationConfig.builder().maxNewTokens(maxNewTokens).build();
        List<Sample> samples = new ArrayList<>();
        double em = 0, f1 = 0;
        for (Conversation c : conversations) {
            String reference = c.answer();
            if (reference == null) continue;
            String answer = generator.reply(c.prompt(), g, null).text().strip();
            double e = AnswerMetrics.exactMatch(answer, reference), f = AnswerMetrics.f1(answer, reference);
            em += e;
            f1 += f;
            samples.add(new Sample(c.prompt().getLast().content(), reference, answer, e, f));
        }
        int n = Math.max(1, samples.size());
        return new Report(ppl, em / n, f1 / n, samples);
    }

    /** {@link #evaluate} with a template that may differ from the model's own (a base model asked in ChatML). */
    public static Report evaluate(dev.ember.nn.lm.GPT model, dev.ember.data.text.TokenEncoder tokenizer, ChatTemplate template,
                                  List<Conversation> conversations, int maxNewTokens) {
        return evaluate(new ChatGenerator(model, tokenizer, template), conversations, maxNewTokens);
    }
}
