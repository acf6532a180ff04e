package dev.ember.llm.tune;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.DataLoader;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.data.DpoDataset;
import dev.ember.llm.data.PreferencePair;
import dev.ember.llm.data.Riddles;
import dev.ember.llm.eval.RewardMetrics;
import dev.ember.llm.export.ModelFolder;
import dev.ember.nn.Loss;
import dev.ember.nn.Module;
import dev.ember.nn.lm.GPT;
import dev.ember.optim.AdamW;
import dev.ember.train.Callback;
import dev.ember.train.Checkpoint;
import dev.ember.train.EpochResult;
import dev.ember.train.Mode;
import dev.ember.train.ProgressBar;
import dev.ember.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Direct preference optimisation of a chat model, as {@code ./ember tune --stage dpo} runs it: pairs built from the
 * riddles (each question with its right answer chosen and another riddle's answer rejected), a frozen copy of the
 * starting model as the reference, the {@link DpoLoss} with {@code beta}, and the {@link Trainer} with validation on
 * the held-out riddles' pairs. The reward margin and accuracy are printed for the training pairs after every epoch
 * and logged for the held-out pairs ({@code val_reward_margin}, {@code val_reward_accuracy} among the run log's epoch metrics). The
 * policy trains every weight ({@code full}) or LoRA adapters ({@code lora}, merged into the saved model); the output
 * is a chat model folder.
 */
public final class Dpo {
    private Dpo() {}

    /** What a run needs; {@code adapter} (null: none) is merged into the starting model first. */
    public record Options(Path model, Path adapter, Path riddles, String system, FineTune.Method method, int loraRank, double loraAlpha,
                          double loraDropout, List<String> loraTargets, double beta, int epochs, int batchSize, double lr, double weightDecay,
                          long seed, Device device, Path out, Path resume) {}

    /** What a run produced: the last held-out loss, reward margin and accuracy, and the last epoch's training ones. */
    public record Result(Path out, double valLoss, double valMargin, double valAccuracy, double trainMargin, double trainAccuracy, int pairs) {}

    /** Runs the whole job, printing progress to {@code out}. */
    public static Result run(Options o, PrintStream out) {
        if (o.method() == FineTune.Method.FREEZE) throw new IllegalArgumentException("--stage dpo: --method must be full or lora");
        if (o.epochs() <= 0 || o.batchSize() <= 0) throw new IllegalArgumentException("--epochs and --batch-size must be positive");
        Ember.manualSeed(o.seed());
        ModelFolder start = ModelFolder.load(o.model(), o.adapter(), DType.FLOAT32);
        ChatTemplate template = start.requireTemplate(o.model());
        if (start.adapter() != null) {
            start.adapter().merge();
            start.adapter().detach();
        }
        GPT policy = start.model();
        for (Tensor p : policy.parameters()) p.requiresGrad(true); // loading an adapter froze the base; the policy starts whole
        // the reference: the same starting point, loaded again (and merged the same way)
        ModelFolder ref = ModelFolder.load(o.model(), o.adapter(), DType.FLOAT32);
        if (ref.adapter() != null) {
            ref.adapter().merge();
            ref.adapter().detach();
        }
        GPT reference = ref.model();
        Riddles riddles = Riddles.find(o.riddles());
        Riddles.Split split = riddles.split(dev.ember.llm.data.TuningData.TRAIN_FRACTION, o.seed());
        List<PreferencePair> trainPairs = PreferencePair.fromRiddles(split.train(), o.system(), o.seed());
        List<PreferencePair> valPairs = PreferencePair.fromRiddles(split.heldOut(), riddles.riddles(), o.system(), o.seed() + 1);
        int length = policy.config().contextLength();
        DpoDataset train = DpoDataset.of(trainPairs, template, start.tokenizer(), length);
        DpoDataset val = DpoDataset.of(valPairs, template, start.tokenizer(), length);
        if (train.size() == 0 || val.size() == 0)
            throw new IllegalArgumentException("--stage dpo: no " + (train.size() == 0 ? "training" : "held-out") + " pair fits the context of "
                    + length + " tokens");
        out.printf("data: riddles from %s: %d training pairs, %d held-out pairs (chosen: the answer; rejected: another riddle's)%s%n",
                riddles.source(), train.size(), val.size(), train.dropped() + val.dropped() > 0 ? "; " + (train.dropped() + val.dropped())
                        + " pairs do not fit the context" : "");
        policy.to(o.device());
        reference.to(o.device());
        policy.train();
        Module adapter = null;
        List<Tensor> trainable = policy.parameters();
        if (o.method() == FineTune.Method.LORA) {
            LoraAdapter a = LoraAdapter.attach(policy, new LoraConfig(o.loraRank(), o.loraAlpha(), o.loraDropout(), o.loraTargets(), null, false));
            adapter = a;
            trainable = a.parameters();
        }
        long count = trainable.stream().mapToLong(Tensor::numel).sum();
        out.printf("model: %s; dpo (%s), beta %g: %,d trainable parameters; reference: a frozen copy of %s%n", policy,
                o.method().name().toLowerCase(), o.beta(), count, o.model());
        DpoModel model = new DpoModel(policy, adapter, reference);
        DpoLoss dpo = new DpoLoss(o.beta());
        RewardMetrics trainStats = new RewardMetrics(o.beta());
        Loss loss = (logits, targets) -> {
            if (Ember.isGradEnabled()) trainStats.update(logits, targets); // training batches only; validation has its metrics
            return dpo.forward(logits, targets);
        };
        double[] lastTrain = {Double.NaN, Double.NaN};
        Callback report = new Callback() {
            @Override
            public void onEpochEnd(Trainer trainer, EpochResult r) {
                lastTrain[0] = trainStats.meanMargin();
                lastTrain[1] = trainStats.rewardAccuracy();
                out.printf("  train reward margin %.4f, reward accuracy %.3f; held-out reward margin %.4f, reward accuracy %.3f%n", lastTrain[0],
                        lastTrain[1], r.value("val_reward_margin"), r.value("val_reward_accuracy"));
                trainStats.reset();
            }
        };
        AdamW opt = AdamW.builder(o.lr()).weightDecay(o.weightDecay()).buildW(trainable);
        DataLoader trainLoader = DataLoader.builder(train).batchSize(o.batchSize()).shuffle(true).seed(o.seed()).build();
        DataLoader valLoader = DataLoader.builder(val).batchSize(o.batchSize()).build();
        Path dir = o.out();
        FineTune.createDirectories(dir);
        Path log = dir.resolve("run.jsonl");
        if (o.resume() == null) FineTune.deleteIfExists(log);
        Trainer trainer = Trainer.builder(model, loss, opt, trainLoader)
                .validation(valLoader)
                .metric(RewardMetrics.margin(o.beta()))
                .metric(RewardMetrics.accuracy(o.beta()))
                .callback(report)
                .callback(new Checkpoint(dir.resolve("checkpoints"), 1, "val_loss", Mode.MIN))
                .log(log, 1)
                .output(out, ProgressBar.isTerminal())
                .build();
        if (o.resume() != null) trainer.resume(o.resume());
        EpochResult last = trainer.fit(o.epochs()).getLast();
        policy.eval();
        if (adapter instanceof LoraAdapter a) {
            a.merge();
            a.detach();
        }
        ModelFolder.save(policy, start.tokenizer(), template, dir);
        out.println("saved the model to " + dir);
        return new Result(dir, last.value("val_loss"), last.value("val_reward_margin"), last.value("val_reward_accuracy"), lastTrain[0], lastTrain[1],
                train.size());
    }
}
