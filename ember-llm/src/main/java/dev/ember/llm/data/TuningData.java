package dev.ember.llm.data;

import dev.ember.data.split.Splits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The conversations a tuning run trains on and holds out: an instruction file ({@link InstructionData}) split 90/10
 * with a seed, or, without one, the riddles ({@link Riddles#find}) split 90/10 the same way.
 *
 * @param train   training conversations
 * @param heldOut held-out conversations (validation and evaluation)
 * @param source  what was read, as the commands print it
 * @param riddles the riddles split, when the data is the riddles (DPO builds its pairs from it), else null
 */
public record TuningData(List<Conversation> train, List<Conversation> heldOut, String source, Riddles.Split riddles) {
    /** The share of the data trained on. */
    public static final double TRAIN_FRACTION = 0.9;

    /**
     * {@code data} (an alpaca or sharegpt file; {@code format} null detects it) when given, else the riddles of
     * {@code riddlesFile} (null: Debian's, else the bundled set) with {@code system} as the system prompt (null: none).
     */
    public static TuningData load(Path data, InstructionFormat format, Path riddlesFile, String system, long seed) {
        if (data != null) {
            List<Conversation> all = InstructionData.read(data, format);
            if (all.size() < 2) throw new IllegalArgumentException("--data: " + data + " has " + all.size() + " record; a 90/10 split needs 2");
            int[][] parts = Splits.randomIndices(all.size(), new double[]{TRAIN_FRACTION, 1 - TRAIN_FRACTION}, seed);
            List<Conversation> train = new ArrayList<>(), held = new ArrayList<>();
            for (int i : parts[0]) train.add(all.get(i));
            for (int i : parts[1]) held.add(all.get(i));
            return new TuningData(train, held, data + " (" + all.size() + " records)", null);
        }
        Riddles r = Riddles.find(riddlesFile);
        Riddles.Split s = r.split(TRAIN_FRACTION, seed);
        return new TuningData(Riddles.conversations(s.train(), system), Riddles.conversations(s.heldOut(), system),
                "riddles from " + r.source() + " (" + r.riddles().size() + " pairs)", s);
    }

    /** One line for the commands: source and sizes. */
    public String describe() { return source + ": " + train.size() + " training / " + heldOut.size() + " held-out conversations"; }
}
