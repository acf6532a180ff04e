package dev.ember.llm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.data.text.CharEncoder;
import dev.ember.llm.data.SftDataset;
import dev.ember.llm.tune.CausalLm;
import dev.ember.llm.tune.SftLoss;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import dev.ember.nn.lm.GenerationConfig;
import dev.ember.optim.AdamW;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A tiny model fine-tuned on two conversations (assistant-only loss, packed) answers them, stopping at ChatML's
 * {@code <|im_end|>} spelled in characters; the streamed pieces never show any part of the stop string.
 */
class ChatGeneratorTest {
    static final List<ChatMessage> Q1 = List.of(ChatMessage.user("hi")), Q2 = List.of(ChatMessage.user("bye"));

    private static ChatGenerator trained;

    /** Trained once for the class (about 10 s on 2 cores). */
    static synchronized ChatGenerator trained() {
        if (trained == null) trained = train();
        return trained;
    }

    static ChatGenerator train() {
        Ember.manualSeed(1);
        ChatTemplate t = ChatTemplate.chatml();
        List<ChatMessage> c1 = List.of(ChatMessage.user("hi"), ChatMessage.assistant("yo")), c2 = List.of(ChatMessage.user("bye"),
                ChatMessage.assistant("ciao"));
        CharEncoder chars = CharEncoder.fit(t.render(c1, false) + t.render(c2, false));
        GPT gpt = new GPT(GPTConfig.builder(chars.vocabSize()).contextLength(160).layers(1).width(32).heads(2).build());
        SftDataset rows = SftDataset.of(List.of(t.encode(c1, chars), t.encode(c2, chars)), 160, true);
        assertEquals(1, rows.size()); // both packed in one row
        Batch b = rows.getBatch(new int[]{0});
        CausalLm lm = new CausalLm(gpt, null);
        AdamW opt = AdamW.builder(1e-2).buildW(gpt.parameters());
        for (int s = 0; s < 150; s++) {
            Tensor loss = new SftLoss().forward(lm.forward(b.inputs()), b.targets());
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        gpt.eval();
        return new ChatGenerator(gpt, chars, t);
    }

    @Test
    void answersStopAtTheTextStopStringAndStreamWithoutIt() {
        ChatGenerator g = trained();
        List<String> pieces = new ArrayList<>();
        ChatGenerator.Reply r = g.reply(Q1, GenerationConfig.builder().maxNewTokens(30).build(), pieces::add);
        assertEquals("yo", r.text());
        assertEquals(ChatGenerator.FinishReason.STOP, r.finishReason());
        assertEquals("yo", String.join("", pieces));
        assertTrue(pieces.stream().noneMatch(p -> p.contains("<")), pieces.toString());
        assertEquals("yo<|im_end|>".length(), r.completionTokens()); // one id per character, the stop string included
        assertEquals(g.template().encodePrompt(Q1, g.tokenizer()).length, r.promptTokens());
        assertEquals("ciao", g.reply(Q2, GenerationConfig.builder().maxNewTokens(30).build(), null).text());
        // a token limit inside the answer: LENGTH, and the text so far
        ChatGenerator.Reply cut = g.reply(Q2, GenerationConfig.builder().maxNewTokens(2).build(), null);
        assertEquals("ci", cut.text());
        assertEquals(ChatGenerator.FinishReason.LENGTH, cut.finishReason());
    }

    @Test
    void aListenerThatThrowsStopsGeneration() {
        ChatGenerator g = trained();
        int[] calls = {0};
        var e = assertThrows(IllegalStateException.class, () -> g.reply(Q2, GenerationConfig.builder().maxNewTokens(30).build(), s -> {
            calls[0]++;
            throw new IllegalStateException("client gone");
        }));
        assertEquals("client gone", e.getMessage());
        assertEquals(1, calls[0]);
        assertFalse(g.model().isTraining());
    }

    @Test
    void longConversationsLoseTheirOldestTurns() {
        ChatGenerator g = trained();
        List<ChatMessage> many = new ArrayList<>();
        many.add(ChatMessage.system("hi"));
        for (int i = 0; i < 6; i++) {
            many.add(ChatMessage.user("hi"));
            many.add(ChatMessage.assistant("yo"));
        }
        many.add(ChatMessage.user("bye"));
        int[] prompt = g.fit(many, 10);
        assertTrue(prompt.length + 10 <= 160);
        String text = g.tokenizer().decode(prompt);
        assertTrue(text.startsWith("<|im_start|>system\nhi<|im_end|>\n") && text.endsWith("<|im_start|>user\nbye<|im_end|>\n<|im_start|>assistant\n"), text);
        assertThrows(IllegalArgumentException.class, () -> g.fit(List.of(ChatMessage.user("hi")), 160));
    }
}
