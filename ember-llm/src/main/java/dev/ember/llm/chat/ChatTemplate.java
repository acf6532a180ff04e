package dev.ember.llm.chat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.data.io.DataFormatException;
import dev.ember.data.text.TokenEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a chat model lays out a conversation as text: the turns with their role markers and special tokens, the
 * assistant header that asks the model to answer ({@link #generationPrompt()}), and the text that ends an assistant
 * turn ({@link #stopStrings()}). ChatML is built in ({@link #chatml()}); other templates are read from the Jinja
 * {@code chat_template} of a Hugging Face {@code tokenizer_config.json} (or a model folder's
 * {@code chat_template.jinja}) and rendered as Hugging Face renders them ({@code trim_blocks} and {@code lstrip_blocks}
 * on; variables {@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} and the other
 * special tokens named in the config).
 *
 * <h2>Supported Jinja</h2>
 * Text; {@code {{ expression }}}; {@code {# comments #}}; the whitespace modifiers {@code -} and {@code +};
 * {@code {% if %}}/{@code {% elif %}}/{@code {% else %}}/{@code {% endif %}}; {@code {% for x in expr %}}...{@code
 * {% endfor %}} with {@code loop.index}, {@code index0}, {@code revindex}, {@code revindex0}, {@code first},
 * {@code last}, {@code length}, {@code previtem}, {@code nextitem}, {@code depth}, {@code depth0}; {@code {% set name = expr
 * %}}; {@code {% generation %}} (rendered as its body). Strings are indexed, sliced and measured by code point and
 * printed with Python's {@code str}/{@code repr}, as jinja2 does; string literals take Python's escapes (but
 * {@code \N{...}}); line endings become {@code \n} and one final newline of the template goes (Jinja's defaults).
 * Expressions: string, integer, float, boolean and none literals, list literals, variables, {@code x.attr},
 * {@code x['key']}, {@code x[i]}, {@code x[a:b]}; operators {@code and or not == != < > <= >= in, not in, + - * / // %
 * ~}, {@code a if c else b}; filters {@code trim length upper lower string first last}; tests {@code is [not]
 * defined / undefined / none / string / number / boolean}; string methods {@code strip lstrip rstrip upper lower
 * startswith endswith}; the function {@code raise_exception(message)} (an {@link IllegalArgumentException} carrying the
 * message). Everything else (macros, {@code namespace()}, filters with arguments, {@code tojson}, {@code items()},
 * dict literals, loop filters, tuple unpacking, {@code {% set %}} blocks, {@code break}/{@code continue}, includes)
 * is refused when the template is read, with an error naming the file, the line and the construct.
 *
 * <h2>Assistant tokens</h2>
 * {@link #encode} marks the tokens of assistant turns, for supervised fine-tuning: for assistant message {@code i},
 * the text that rendering messages {@code 0..i} adds after rendering messages {@code 0..i-1} with the generation
 * prompt (its content and the end-of-turn text, e.g. {@code answer<|im_end|>\n} in ChatML), so the model learns to
 * answer and to stop, and never learns the user's words or the headers. The template must render each such prefix as
 * a prefix of the whole conversation (every template of the forms above does; one that does not is an error).
 * The marked and unmarked pieces are tokenized separately, as LLaMA-Factory encodes prompt and response separately.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class ChatTemplate {
    /** The constructs this reader accepts, quoted in its errors. */
    static final String SUPPORTED = "supported are text, {{ expressions }}, {# comments #}, if/elif/else, for x in ... (loop.index0, index, "
            + "first, last, length, revindex, revindex0, previtem, nextitem, depth), set name = ..., generation; filters " + new java.util.TreeSet<>(JinjaTemplate.FILTERS) + "; tests "
            + new java.util.TreeSet<>(JinjaTemplate.TESTS) + "; string methods " + new java.util.TreeSet<>(JinjaTemplate.METHODS)
            + "; the function raise_exception(msg)";

    /** The ChatML template (as Hugging Face's documentation writes it), Ember's built-in chat format. */
    public static final String CHATML_JINJA = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
            + "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** ChatML's special tokens: the start and end of a turn. */
    public static final List<String> CHATML_SPECIAL_TOKENS = List.of("<|im_start|>", "<|im_end|>");

    private static final String PROBE = "\u0000ember-assistant-probe\u0000";

    private final String source;
    private final JinjaTemplate template;
    private final String origin;
    private final Map<String, String> specialTokens; // bos_token, eos_token, ... -> text
    private final List<String> stopStrings;
    private final String generationPrompt;

    private ChatTemplate(String source, String origin, Map<String, String> specialTokens, List<String> stopStrings) {
        this.source = source;
        this.origin = origin;
        this.template = JinjaTemplate.parse(source, origin);
        this.specialTokens = Map.copyOf(specialTokens);
        this.generationPrompt = findGenerationPrompt();
        this.stopStrings = stopStrings != null ? List.copyOf(stopStrings) : findStopStrings();
    }

    /** ChatML: {@code <|im_start|>role\ncontent<|im_end|>\n} per turn; end-of-sequence token {@code <|im_end|>}. */
    public static ChatTemplate chatml() {
        return new ChatTemplate(CHATML_JINJA, "ChatML", Map.of("eos_token", "<|im_end|>"), List.of("<|im_end|>"));
    }

    /**
     * A template from its Jinja source, with the {@code bos_token} and {@code eos_token} it may print (null: none).
     * An unsupported construct is an {@link IllegalArgumentException} naming {@code origin}, the line and the construct.
     */
    public static ChatTemplate fromJinja(String source, String bosToken, String eosToken, String origin) {
        Map<String, String> tokens = new LinkedHashMap<>();
        if (bosToken != null) tokens.put("bos_token", bosToken);
        if (eosToken != null) tokens.put("eos_token", eosToken);
        return new ChatTemplate(source, origin, tokens, null);
    }

    /**
     * The {@code chat_template} of a Hugging Face {@code tokenizer_config.json} with its special tokens
     * ({@code bos_token}, {@code eos_token}, {@code unk_token}, {@code pad_token}, as strings or {@code {"content": ...}}
     * objects). A list of named templates uses the one named {@code default}. Empty when the file has no
     * {@code chat_template}; a malformed file or an unsupported template is an error naming the file.
     */
    public static Optional<ChatTemplate> fromTokenizerConfig(Path tokenizerConfig) {
        JsonObject o = ChatTokenizer.object(tokenizerConfig);
        Map<String, String> tokens = specialTokens(o, tokenizerConfig);
        if (!o.has("chat_template") || o.get("chat_template").isJsonNull()) return Optional.empty();
        JsonElement t = o.get("chat_template");
        String source;
        if (t.isJsonPrimitive() && t.getAsJsonPrimitive().isString()) {
            source = t.getAsString();
        } else if (t.isJsonArray()) {
            source = null;
            for (JsonElement e : t.getAsJsonArray()) {
                if (e.isJsonObject() && e.getAsJsonObject().has("name") && e.getAsJsonObject().get("name").getAsString().equals("default")
                        && e.getAsJsonObject().has("template"))
                    source = e.getAsJsonObject().get("template").getAsString();
            }
            if (source == null) throw new DataFormatException(tokenizerConfig, "chat_template", "a list of templates without one named 'default'");
        } else {
            throw new DataFormatException(tokenizerConfig, "chat_template", "expected a string or a list of {name, template}");
        }
        return Optional.of(new ChatTemplate(source, tokenizerConfig + ": chat_template", tokens, null));
    }

    /**
     * The template of a model folder: {@code chat_template.jinja} (with the special tokens of
     * {@code tokenizer_config.json}, if any), else the {@code chat_template} of {@code tokenizer_config.json}; empty
     * when the folder has neither.
     */
    public static Optional<ChatTemplate> forModel(Path dir) {
        Path jinja = dir.resolve("chat_template.jinja"), config = dir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(jinja)) {
            Map<String, String> tokens = Files.isRegularFile(config) ? specialTokens(ChatTokenizer.object(config), config) : Map.of();
            try {
                return Optional.of(new ChatTemplate(Files.readString(jinja, StandardCharsets.UTF_8), jinja.toString(), tokens, null));
            } catch (IOException e) {
                throw new UncheckedIOException(jinja + ": " + e.getMessage(), e);
            }
        }
        return Files.isRegularFile(config) ? fromTokenizerConfig(config) : Optional.empty();
    }

    private static Map<String, String> specialTokens(JsonObject o, Path file) {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String key : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
            if (!o.has(key) || o.get(key).isJsonNull()) continue;
            JsonElement v = o.get(key);
            if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()) tokens.put(key, v.getAsString());
            else if (v.isJsonObject() && v.getAsJsonObject().has("content") && v.getAsJsonObject().get("content").isJsonPrimitive())
                tokens.put(key, v.getAsJsonObject().get("content").getAsString());
            else throw new DataFormatException(file, key, "expected a string or {\"content\": \"...\"}, got " + v);
        }
        return tokens;
    }

    /** This template with other stop strings (the texts that end an assistant turn in generation). */
    public ChatTemplate withStopStrings(List<String> stops) {
        for (String s : stops) if (s == null || s.isEmpty()) throw new IllegalArgumentException("ChatTemplate: a stop string is empty");
        return new ChatTemplate(source, origin, specialTokens, stops);
    }

    /** The Jinja source (what {@code tokenizer_config.json}'s {@code chat_template} holds on export). */
    public String source() { return source; }

    /** The beginning-of-sequence token text, or null. */
    public String bosToken() { return specialTokens.get("bos_token"); }

    /** The end-of-sequence token text, or null. */
    public String eosToken() { return specialTokens.get("eos_token"); }

    /**
     * The conversation as text; with {@code addGenerationPrompt}, followed by the assistant header (the model then
     * writes the assistant's answer). A template's {@code raise_exception} is an {@link IllegalArgumentException}.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Object> msgs = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("role", m.role());
            o.put("content", m.content());
            msgs.add(o);
        }
        Map<String, Object> vars = new LinkedHashMap<>(specialTokens);
        vars.put("messages", msgs);
        vars.put("add_generation_prompt", addGenerationPrompt);
        return template.render(vars);
    }

    /** The text that asks for the assistant's answer ({@code <|im_start|>assistant\n} in ChatML; may be empty). */
    public String generationPrompt() { return generationPrompt; }

    /**
     * The texts that end an assistant turn, at which generation stops: ChatML's {@code <|im_end|>}; for a template
     * read from Jinja, the end-of-sequence token and the first word of the text the template writes right after an
     * assistant message's content (e.g. Gemma's {@code <end_of_turn>}, Llama 3's {@code <|eot_id|>}).
     */
    public List<String> stopStrings() { return stopStrings; }

    /**
     * The ids of the stop strings that {@code tokenizer} encodes as one token (special tokens), for
     * {@code GenerationConfig.stopTokens}; the others must be matched in the decoded text.
     */
    public int[] stopTokenIds(TokenEncoder tokenizer) {
        Set<Integer> ids = new LinkedHashSet<>();
        for (String s : stopStrings) {
            int[] e = tokenizer.encode(s);
            if (e.length == 1) ids.add(e[0]);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The conversation as token ids, with the tokens of assistant turns marked (see the class comment). */
    public EncodedChat encode(List<ChatMessage> messages, TokenEncoder tokenizer) {
        return encode(messages, tokenizer, false);
    }

    /** The conversation followed by the generation prompt, as token ids: the prompt the model continues. */
    public int[] encodePrompt(List<ChatMessage> messages, TokenEncoder tokenizer) {
        return encode(messages, tokenizer, true).ids();
    }

    private EncodedChat encode(List<ChatMessage> messages, TokenEncoder tokenizer, boolean addGenerationPrompt) {
        String full = render(messages, addGenerationPrompt);
        List<int[]> spans = new ArrayList<>();
        int cursor = 0;
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).isAssistant()) continue;
            String prefix, upto;
            try {
                prefix = render(messages.subList(0, i), true);
                upto = render(messages.subList(0, i + 1), false);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + ": cannot locate assistant message " + i + " (rendering the messages before it failed: "
                        + e.getMessage() + ")", e);
            }
            if (!full.startsWith(prefix) || prefix.length() < cursor)
                throw new IllegalArgumentException(origin + ": rendering messages 0.." + (i - 1) + " with the generation prompt is not a prefix of the "
                        + "whole conversation, so the tokens of assistant message " + i + " cannot be located");
            int end = prefix.length() + agreeingTokens(upto.substring(prefix.length()), full.substring(prefix.length()), tokenizer);
            spans.add(new int[]{prefix.length(), end});
            cursor = end;
        }
        List<Integer> ids = new ArrayList<>();
        List<Boolean> mask = new ArrayList<>();
        int at = 0;
        for (int[] s : spans) {
            append(tokenizer.encode(full.substring(at, s[0])), false, ids, mask);
            append(tokenizer.encode(full.substring(s[0], s[1])), true, ids, mask);
            at = s[1];
        }
        append(tokenizer.encode(full.substring(at)), false, ids, mask);
        int[] idArray = ids.stream().mapToInt(Integer::intValue).toArray();
        boolean[] maskArray = new boolean[mask.size()];
        for (int i = 0; i < maskArray.length; i++) maskArray[i] = mask.get(i);
        return new EncodedChat(idArray, maskArray);
    }

    private static void append(int[] tokens, boolean assistant, List<Integer> ids, List<Boolean> mask) {
        for (int t : tokens) {
            ids.add(t);
            mask.add(assistant);
        }
    }

    /**
     * The length of the text of the leading tokens of {@code turn} that {@code rest} also begins with: what an
     * assistant message adds, cut where the rest of the conversation departs from it (a template may end the last
     * turn differently from one that is followed by more, as Phi-3 writes its eos only at the very end). Whole tokens,
     * so the cut never splits a special token.
     */
    private static int agreeingTokens(String turn, String rest, TokenEncoder tokenizer) {
        int[] ids = tokenizer.encode(turn);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int agreed = 0;
        for (int id : ids) {
            bytes.writeBytes(tokenizer.tokenBytes(id));
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                continue; // a token ending inside a character: decide at the token that completes it
            }
            if (!rest.startsWith(text)) break;
            agreed = text.length();
        }
        return agreed;
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length()), i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) i++;
        return i;
    }

    /** What rendering with the generation prompt adds to a one-message conversation. */
    private String findGenerationPrompt() {
        try {
            List<ChatMessage> probe = List.of(ChatMessage.user("hello"));
            String with = render(probe, true), without = render(probe, false);
            int c = commonPrefix(with, without);
            if (c < with.length() && c < without.length()) {
                // both go on differently (Phi-3: <|assistant|> against a final <|endoftext|>): cut at the last boundary
                // before the difference, so the prompt does not start inside a marker that both happen to begin alike
                while (c > 0 && !Character.isWhitespace(with.charAt(c - 1)) && ">]}".indexOf(with.charAt(c - 1)) < 0) c--;
            }
            return with.substring(c);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** The end-of-sequence token and the first word after an assistant message's content. */
    private List<String> findStopStrings() {
        Set<String> stops = new LinkedHashSet<>();
        try {
            String text = render(List.of(ChatMessage.user("hello"), ChatMessage.assistant(PROBE)), false);
            int k = text.indexOf(PROBE);
            if (k >= 0) {
                String after = text.substring(k + PROBE.length()).stripLeading();
                int space = 0;
                while (space < after.length() && !Character.isWhitespace(after.charAt(space))) space++;
                if (space > 0) stops.add(after.substring(0, space));
            }
        } catch (IllegalArgumentException e) {
            // the template refuses the probe conversation: the end-of-sequence token alone
        }
        String eos = eosToken();
        if (eos != null && !eos.isEmpty()) stops.add(eos);
        return List.copyOf(stops);
    }

    @Override
    public String toString() {
        return "ChatTemplate(" + origin + ", generation prompt " + Arrays.toString(new String[]{generationPrompt}) + ", stops " + stopStrings + ")";
    }
}
