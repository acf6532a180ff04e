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
        return fromRiddles(riddles, riddles, system, seed);
    }

    /**
     * Pairs for {@code riddles} whose rejected answers are drawn from {@code pool} (e.g. every riddle, so that a
     * small held-out set still has wrong answers to offer); a riddle for which the pool has no other answer is left out.
     */
    public static List<PreferencePair> fromRiddles(List<Riddle> riddles, List<Riddle> pool, String system, long seed) {
        Random random = new Random(seed);
        List<String> answers = pool.stream().map(Riddle::answer).distinct().toList();
        List<PreferencePair> out = new ArrayList<>();
        for (Riddle r : riddles) {
            List<String> others = answers.stream().filter(a -> !a.equals(r.answer())).toList();
            if (others.isEmpty()) continue;
            out.add(new PreferencePair(r.conversation(system).prompt(), r.answer(), others.get(random.nextInt(others.size()))));
        }
        if (out.isEmpty()) throw new IllegalArgumentException("preference pairs: no riddle has another answer to reject among " + pool.size() + " riddles");
        return out;
    }
}
