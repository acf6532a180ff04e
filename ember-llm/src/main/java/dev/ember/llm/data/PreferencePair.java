package dev.ember.llm.data;

import dev.ember.llm.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A preference example for DPO: a prompt (the conversation before the answer) with a preferred ({@code chosen}) and
 * a dispreferred ({@code rejected}) assistant answer.
 *
 * @param prompt   the messages before the answer (copied)
 * @param chosen   the preferred answer
 * @param rejected the dispreferred answer
 */
public record PreferencePair(List<ChatMessage> prompt, String chosen, String rejected) {
    /** Copies the prompt. */
    public PreferencePair {
        prompt = List.copyOf(prompt);
        if (chosen.equals(rejected)) throw new IllegalArgumentException("PreferencePair: chosen and rejected answers are the same: '" + chosen + "'");
    }

    /** The prompt followed by {@code answer} as the assistant's turn. */
    public List<ChatMessage> with(String answer) {
        List<ChatMessage> m = new ArrayList<>(prompt);
        m.add(ChatMessage.assistant(answer));
        return m;
    }

    /**
     * The riddles' pairs: each question with its own answer chosen and another riddle's answer (drawn with
     * {@code seed}, never one with the same text) rejected; {@code system} null: no system prompt.
     */
    public static List<PreferencePair> fromRiddles(List<Riddle> riddles, String system, long seed) {
        if (riddles.size() < 2) throw new IllegalArgumentException("preference pairs: " + riddles.size() + " riddle; another riddle's answer needs 2");
        Random random = new Random(seed);
        List<PreferencePair> out = new ArrayList<>();
        for (int i = 0; i < riddles.size(); i++) {
            Riddle r = riddles.get(i);
            String other = null;
            for (int tries = 0; tries < 100 && other == null; tries++) {
                int j = random.nextInt(riddles.size() - 1);
                if (j >= i) j++;
                if (!riddles.get(j).answer().equals(r.answer())) other = riddles.get(j).answer();
            }
            if (other == null) continue; // every other riddle shares this answer
            List<ChatMessage> prompt = r.conversation(system).prompt();
            out.add(new PreferencePair(prompt, r.answer(), other));
        }
        return out;
    }
}
