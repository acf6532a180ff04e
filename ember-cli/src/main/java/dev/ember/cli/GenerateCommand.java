package dev.ember.cli;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.data.text.TokenEncoder;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.Generation;
import dev.ember.nn.lm.GenerationConfig;
import dev.ember.nn.lm.Gpt2Checkpoint;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./ember generate --model DIR --prompt TEXT}: continues a prompt with a GPT saved in GPT-2's Hugging Face
 * layout (by {@code ./ember train --model gpt} or by Hugging Face), streaming each token to the terminal as it is
 * chosen. The model computes in its checkpoint's dtype (a BFLOAT16 file generates in BFLOAT16, with a BFLOAT16 KV cache)
 * unless {@code --dtype} converts it.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION,
        description = "Continue a prompt with a GPT model folder (config.json, model.safetensors, tokenizer), streaming tokens.")
public final class GenerateCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model folder: config.json, model.safetensors and vocab.json + merges.txt or chars.json.")
    Path model;

    @Option(names = "--prompt", required = true, description = "Text to continue.")
    String prompt;

    @Option(names = "--max-new-tokens", description = "Most tokens to generate (default ${DEFAULT-VALUE}).", defaultValue = "200")
    int maxNewTokens;

    @Option(names = "--temperature", description = "0 for greedy decoding, else the sampling temperature (default ${DEFAULT-VALUE}).",
            defaultValue = "0.8")
    double temperature;

    @Option(names = "--top-k", description = "Sample among the k most likely tokens; 0: all (default ${DEFAULT-VALUE}).", defaultValue = "40")
    int topK;

    @Option(names = "--top-p", description = "Nucleus sampling threshold; 1: off (default ${DEFAULT-VALUE}).", defaultValue = "1")
    double topP;

    @Option(names = "--repetition-penalty", description = "Penalty for repeated tokens; 1: off (default ${DEFAULT-VALUE}).", defaultValue = "1")
    double repetitionPenalty;

    @Option(names = "--stop", description = "Stop when this text (one token) is generated; repeatable.")
    List<String> stop;

    @Option(names = "--seed", description = "Sampling seed (default ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(names = "--device", description = "cpu, cuda[:i], opencl[:i] or auto (default ${DEFAULT-VALUE}).", defaultValue = "cpu")
    String device;

    @Option(names = "--dtype", paramLabel = "bf16|f16|f32", description = "Precision of the weights and the KV cache (default: the "
            + "checkpoint's own; a BF16 file stays BF16, half the memory of float32).")
    String dtype;

    @Override
    public void run() { generate(System.out); }

    private ParameterException bad(String message) { return new ParameterException(spec.commandLine(), message); }

    /** Loads the model, prints the prompt, then each generated token as it comes; returns the generated text. */
    String generate(PrintStream out) {
        // the options first (exit code 2, before the model is read), named as the user typed them
        if (maxNewTokens < 1) throw bad("--max-new-tokens must be at least 1, got " + maxNewTokens);
        if (!(temperature >= 0 && temperature < Double.POSITIVE_INFINITY)) throw bad("--temperature must be finite and >= 0, got " + temperature);
        if (topK < 0) throw bad("--top-k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw bad("--top-p must be in (0, 1], got " + topP);
        if (!(repetitionPenalty > 0 && repetitionPenalty < Double.POSITIVE_INFINITY))
            throw bad("--repetition-penalty must be finite and > 0, got " + repetitionPenalty);
        DType precision = dtype == null ? null : switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
            case "bf16", "bfloat16" -> DType.BFLOAT16;
            case "f16", "fp16", "float16" -> DType.FLOAT16;
            case "f32", "fp32", "float32" -> DType.FLOAT32;
            default -> throw bad("--dtype must be bf16, f16 or f32, got '" + dtype + "'");
        };
        Device dev = TrainCommand.device(spec, device);
        GPT gpt = Gpt2Checkpoint.load(model, precision);
        TokenEncoder tok = TokenEncoder.load(model);
        if (tok.vocabSize() > gpt.config().vocabSize())
            throw new IllegalArgumentException("--model: the tokenizer has " + tok.vocabSize() + " ids but config.json's vocab_size is "
                    + gpt.config().vocabSize());
        gpt.to(dev);
        int[] ids;
        try {
            ids = tok.encode(prompt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--prompt: " + e.getMessage(), e);
        }
        if (ids.length == 0) throw new IllegalArgumentException("--prompt: the prompt is empty");
        if (ids.length > gpt.config().contextLength())
            throw new IllegalArgumentException("--prompt: " + ids.length + " tokens, more than the model's context length of "
                    + gpt.config().contextLength() + " (" + model.resolve("config.json") + ", n_positions)");
        List<Integer> stops = new ArrayList<>();
        if (stop != null)
            for (String s : stop) {
                int[] st;
                try {
                    st = tok.encode(s.replace("\\n", "\n"));
                } catch (IllegalArgumentException e) {
                    throw bad("--stop: " + e.getMessage());
                }
                if (st.length != 1) throw bad("--stop: '" + s + "' is " + st.length + " tokens; a stop text must be one token");
                stops.add(st[0]);
            }
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(maxNewTokens).temperature(temperature).topK(topK).topP(topP)
                .repetitionPenalty(repetitionPenalty).stopTokens(stops.stream().mapToInt(Integer::intValue).toArray()).seed(seed).build();
        out.print(prompt);
        out.flush();
        StringBuilder text = new StringBuilder();
        // Byte-level tokens can split a character: one incremental decoder holds the partial bytes until they complete it.
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        java.io.ByteArrayOutputStream carry = new java.io.ByteArrayOutputStream();
        Generation.generate(gpt, ids, config, (seq, token) -> {
            carry.writeBytes(tok.tokenBytes(token));
            ByteBuffer in = ByteBuffer.wrap(carry.toByteArray());
            CharBuffer chars = CharBuffer.allocate(in.remaining() + 1);
            utf8.decode(in, chars, false);
            carry.reset();
            carry.write(in.array(), in.position(), in.remaining()); // an incomplete character waits for the next token
            chars.flip();
            text.append(chars);
            out.print(chars);
            out.flush();
        });
        out.println();
        return text.toString();
    }
}
