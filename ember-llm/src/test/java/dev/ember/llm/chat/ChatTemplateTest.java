package dev.ember.llm.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import dev.ember.data.text.TokenEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ChatML, assistant masks, generation prompts, stop strings, tokenizer_config.json reading and refused constructs. */
class ChatTemplateTest {
    /** One id per character of "a".."z", space, newline, '<', '|', '>', '_', '!' and '?'; exact and easy to count. */
    static final class Letters implements TokenEncoder {
        static final String CHARS = "abcdefghijklmnopqrstuvwxyz \n<|>_!?";

        @Override
        public int[] encode(String text) {
            int[] out = new int[text.length()];
            for (int i = 0; i < out.length; i++) {
                int k = CHARS.indexOf(text.charAt(i));
                if (k < 0) throw new IllegalArgumentException("Letters: '" + text.charAt(i) + "'");
                out[i] = k;
            }
            return out;
        }

        @Override
        public String decode(int[] ids) {
            StringBuilder s = new StringBuilder();
            for (int id : ids) s.append(CHARS.charAt(id));
            return s.toString();
        }

        @Override
        public int vocabSize() { return CHARS.length(); }

        @Override
        public byte[] tokenBytes(int id) { return String.valueOf(CHARS.charAt(id)).getBytes(StandardCharsets.UTF_8); }
    }

    static final List<ChatMessage> RIDDLE = List.of(ChatMessage.system("be brief"), ChatMessage.user("what has keys?"),
            ChatMessage.assistant("a piano!"), ChatMessage.user("and?"), ChatMessage.assistant("a map"));

    @Test
    void chatmlRendersTurnsAndGenerationPrompt() {
        ChatTemplate t = ChatTemplate.chatml();
        String expected = "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nwhat has keys?<|im_end|>\n"
                + "<|im_start|>assistant\na piano!<|im_end|>\n<|im_start|>user\nand?<|im_end|>\n<|im_start|>assistant\na map<|im_end|>\n";
        assertEquals(expected, t.render(RIDDLE, false));
        assertEquals(expected + "<|im_start|>assistant\n", t.render(RIDDLE, true));
        assertEquals("<|im_start|>assistant\n", t.generationPrompt());
        assertEquals(List.of("<|im_end|>"), t.stopStrings());
        assertEquals("<|im_end|>", t.eosToken());
    }

    @Test
    void assistantMaskCoversContentAndEndOfTurnOnly() {
        ChatTokenizer tok = ChatTokenizer.withSpecialTokens(new Letters(), ChatTemplate.CHATML_SPECIAL_TOKENS);
        int start = tok.specialId("<|im_start|>"), end = tok.specialId("<|im_end|>");
        assertEquals(Letters.CHARS.length(), start);
        assertEquals(Letters.CHARS.length() + 1, end);
        List<ChatMessage> chat = List.of(ChatMessage.user("hi"), ChatMessage.assistant("yo"));
        EncodedChat e = ChatTemplate.chatml().encode(chat, tok);
        // <s>user\nhi<e>\n<s>assistant\n | yo<e>\n   (<s>, <e>: one special token each)
        int[] expectedIds = concat(new int[]{start}, new Letters().encode("user\nhi"), new int[]{end}, new Letters().encode("\n"), new int[]{start},
                new Letters().encode("assistant\n"), new Letters().encode("yo"), new int[]{end}, new Letters().encode("\n"));
        assertArrayEquals(expectedIds, e.ids());
        int prompt = 1 + 7 + 1 + 1 + 1 + 10; // everything up to and including the assistant header
        boolean[] mask = new boolean[expectedIds.length];
        for (int i = prompt; i < mask.length; i++) mask[i] = true; // "yo", <|im_end|>, "\n"
        assertArrayEquals(mask, e.assistant());
        assertEquals(4, e.assistantTokens());
        long[] labels = e.labels();
        for (int i = 0; i < labels.length; i++) assertEquals(i >= prompt ? expectedIds[i] : EncodedChat.IGNORE_INDEX, labels[i]);
        assertEquals(tok.decode(e.ids()), ChatTemplate.chatml().render(chat, false));
    }

    @Test
    void twoAssistantTurnsAreBothMarkedAndThePromptEndsAtTheHeader() {
        ChatTokenizer tok = ChatTokenizer.withSpecialTokens(new Letters(), ChatTemplate.CHATML_SPECIAL_TOKENS);
        ChatTemplate t = ChatTemplate.chatml();
        EncodedChat e = t.encode(RIDDLE, tok);
        String marked = marked(e, tok);
        assertEquals("a piano!<|im_end|>\n" + "a map<|im_end|>\n", marked);
        int[] prompt = t.encodePrompt(RIDDLE.subList(0, 4), tok);
        assertEquals(t.render(RIDDLE.subList(0, 4), true), tok.decode(prompt));
        // the prompt is exactly the tokens before the second assistant turn
        int[] ids = e.ids();
        for (int i = 0; i < prompt.length; i++) assertEquals(ids[i], prompt[i]);
        assertTrue(e.assistant()[prompt.length] && !e.assistant()[prompt.length - 1]);
    }

    static String marked(EncodedChat e, TokenEncoder tok) {
        StringBuilder s = new StringBuilder();
        int[] ids = e.ids();
        boolean[] m = e.assistant();
        for (int i = 0; i < ids.length; i++) if (m[i]) s.append(tok.decode(new int[]{ids[i]}));
        return s.toString();
    }

    @Test
    void maskOfTemplatesWithoutAGenerationPromptAndWithAFinalEos() {
        var letters = new Letters();
        // Llama 2 has no generation prompt: the assistant's text starts with the space after [/INST]
        ChatTemplate llama = ChatTemplate.fromJinja(ChatTemplateJinjaTest.refs().getAsJsonObject("templates").get("llama2").getAsString(), "<s>",
                "</s>", "llama2");
        ChatTokenizer tok = ChatTokenizer.withSpecialTokens(letters, List.of("<s>", "</s>", "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>"));
        EncodedChat e = llama.encode(List.of(ChatMessage.user("hi"), ChatMessage.assistant("yo"), ChatMessage.user("ok"),
                ChatMessage.assistant("bye")), tok);
        assertEquals(" yo </s> bye </s>", marked(e, tok));
        assertEquals("", llama.generationPrompt());
        assertEquals(List.of("</s>"), llama.stopStrings());
        // Phi-3 writes eos only at the very end (not with the generation prompt): only the last turn's mark holds it
        ChatTemplate phi = ChatTemplate.fromJinja(ChatTemplateJinjaTest.refs().getAsJsonObject("templates").get("phi3").getAsString(), "<s>",
                "<|endoftext|>", "phi3");
        ChatTokenizer ptok = ChatTokenizer.withSpecialTokens(letters, List.of("<|user|>", "<|assistant|>", "<|end|>", "<|endoftext|>"));
        EncodedChat p = phi.encode(List.of(ChatMessage.user("hi"), ChatMessage.assistant("yo"), ChatMessage.user("ok"),
                ChatMessage.assistant("bye")), ptok);
        assertEquals("yo<|end|>\nbye<|end|>\n<|endoftext|>", marked(p, ptok));
        assertEquals("<|assistant|>\n", phi.generationPrompt());
        assertEquals(List.of("<|end|>", "<|endoftext|>"), phi.stopStrings());
        int[] stops = phi.stopTokenIds(ptok);
        assertArrayEquals(new int[]{ptok.specialId("<|end|>"), ptok.specialId("<|endoftext|>")}, stops);
    }

    @Test
    void stopStringsOfGemmaAndLlama3() {
        var t = ChatTemplateJinjaTest.refs().getAsJsonObject("templates");
        assertEquals(List.of("<end_of_turn>", "<eos>"), ChatTemplate.fromJinja(t.get("gemma").getAsString(), "<bos>", "<eos>", "g").stopStrings());
        ChatTemplate l3 = ChatTemplate.fromJinja(t.get("llama3").getAsString(), "<|begin_of_text|>", "<|end_of_text|>", "l3");
        assertEquals(List.of("<|eot_id|>", "<|end_of_text|>"), l3.stopStrings());
        assertEquals("<|start_header_id|>assistant<|end_header_id|>\n\n", l3.generationPrompt());
    }

    @Test
    void specialTokensInsideTextAreOneIdEach() {
        ChatTokenizer tok = ChatTokenizer.withSpecialTokens(new Letters(), List.of("<|a|>", "<|ab|>"));
        int a = tok.specialId("<|a|>"), ab = tok.specialId("<|ab|>");
        assertArrayEquals(concat(new Letters().encode("x"), new int[]{ab, a}, new Letters().encode("<|")), tok.encode("x<|ab|><|a|><|"));
        assertEquals("x<|ab|><|a|><|", tok.decode(tok.encode("x<|ab|><|a|><|")));
        assertEquals(Letters.CHARS.length() + 2, tok.vocabSize());
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[]{tok.vocabSize()}));
    }

    @Test
    void readsTokenizerConfigWithSpecialTokenObjects(@TempDir Path dir) throws IOException {
        Path cfg = dir.resolve("tokenizer_config.json");
        Files.writeString(cfg, """
                {"bos_token": {"content": "<s>", "__type": "AddedToken"}, "eos_token": "</s>",
                 "chat_template": "{{ bos_token }}{% for m in messages %}{{ m.role }}: {{ m.content }}{{ eos_token }}{% endfor %}"}
                """);
        ChatTemplate t = ChatTemplate.forModel(dir).orElseThrow();
        assertEquals("<s>user: hi</s>", t.render(List.of(ChatMessage.user("hi")), true));
        assertEquals("<s>", t.bosToken());
        // chat_template.jinja wins over tokenizer_config.json, and keeps its special tokens
        Files.writeString(dir.resolve("chat_template.jinja"), "[{{ eos_token }}]{% for m in messages %}{{ m.content }}{% endfor %}");
        assertEquals("[</s>]hi", ChatTemplate.forModel(dir).orElseThrow().render(List.of(ChatMessage.user("hi")), false));
    }

    @Test
    void aListOfNamedTemplatesUsesDefault(@TempDir Path dir) throws IOException {
        Path cfg = dir.resolve("tokenizer_config.json");
        Files.writeString(cfg, "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}, {\"name\": \"default\", \"template\": \"D\"}]}");
        assertEquals("D", ChatTemplate.fromTokenizerConfig(cfg).orElseThrow().render(List.of(), false));
        Files.writeString(cfg, "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}]}");
        var e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromTokenizerConfig(cfg));
        assertTrue(e.getMessage().contains(cfg.toString()) && e.getMessage().contains("default"), e.getMessage());
    }

    @Test
    void noChatTemplateIsEmpty(@TempDir Path dir) throws IOException {
        assertTrue(ChatTemplate.forModel(dir).isEmpty());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertTrue(ChatTemplate.forModel(dir).isEmpty());
    }

    @Test
    void unsupportedConstructsAreRefusedNamingFileLineAndConstruct(@TempDir Path dir) throws IOException {
        Map<String, String> refused = Map.of(
                "{% macro f() %}x{% endmacro %}", "'{% macro f() %}'",
                "{%- set ns = namespace(found=false) -%}", "the function 'namespace(...)'",
                "{{ messages | tojson }}", "the filter 'tojson'",
                "{{ messages | join(', ') }}", "the filter 'join(...)'",
                "{% for k, v in m.items() %}{% endfor %}", "tuple unpacking",
                "{% for m in messages if m.role %}{% endfor %}", "filtered loops",
                "{{ {'a': 1} }}", "dict literals",
                "{% for m in messages %}{% break %}{% endfor %}", "'{% break %}'",
                "{{ x is mapping }}", "the test 'is mapping'",
                "{{ m.content.split(' ') }}", "the method '.split(...)'");
        for (var e : refused.entrySet()) {
            Path cfg = dir.resolve("tokenizer_config.json");
            Files.writeString(cfg, "{\"chat_template\": " + new Gson().toJson("line one\n" + e.getKey()) + "}");
            var ex = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromTokenizerConfig(cfg), e.getKey());
            String msg = ex.getMessage();
            assertTrue(msg.startsWith(cfg + ": chat_template: line 2"), msg);
            assertTrue(msg.contains(e.getValue()), e.getKey() + " -> " + msg);
            assertTrue(msg.contains("unsupported construct"), msg);
        }
    }

    @Test
    void lineEndingsAreNormalisedAndTheFinalNewlineDropsAsInJinja() {
        // jinja2 3.1.6 renders this template, CRLF line endings and all, as 'a\nb\nend' (trim_blocks, lstrip_blocks)
        ChatTemplate t = ChatTemplate.fromJinja("{% for m in messages %}\r\n{{ m.content }}\r\n  {% endfor %}\r\nend\r\n", null, null, "t");
        assertEquals("a\nb\nend", t.render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), false));
        // Python's escapes in string literals are decoded, as jinja2 decodes them; \N{name} (a Unicode name table) is refused
        assertEquals("\u00e9A\t\u0007", ChatTemplate.fromJinja("{{ '\\u00e9\\x41\\t\\a' }}", null, null, "t").render(List.of(), false));
        var e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromJinja("{{ '\\N{BULLET}' }}", null, null, "t"));
        assertTrue(e.getMessage().startsWith("t: line 1") && e.getMessage().contains("\\N{...}"), e.getMessage());
    }

    @Test
    void aPythonMethodReadWithoutACallIsRefusedNotRenderedAsUndefined() {
        // jinja2 gives the bound method: true in a test, '<built-in method ...>' when printed; Ember has no such value
        for (String src : List.of("{% for m in messages %}{% if m.content.strip %}x{% endif %}{% endfor %}", "{{ messages[0].items }}",
                "{{ messages.count }}")) {
            ChatTemplate t = ChatTemplate.fromJinja(src, null, null, "t");
            var e = assertThrows(IllegalArgumentException.class, () -> t.render(List.of(ChatMessage.user("a")), false), src);
            assertTrue(e.getMessage().startsWith("t: line 1") && e.getMessage().contains("without a call"), e.getMessage());
        }
        // items and attributes that are not methods still read as before
        assertEquals("a|", ChatTemplate.fromJinja("{{ messages[0].content }}|{{ messages[0].name }}", null, null, "t")
                .render(List.of(ChatMessage.user("a")), false));
    }

    @Test
    void malformedTemplatesAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromJinja("{% if x %}a", null, null, "t"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromJinja("{% endfor %}", null, null, "t"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromJinja("{{ 'a' ", null, null, "t"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromJinja("{{ 'a }}", null, null, "t"));
        var e = assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.fromJinja("{{ messages[0].role.x }}", null, null, "t").render(List.of(), false));
        assertTrue(e.getMessage().contains("undefined"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.fromJinja("{{ 1 + 'a' }}", null, null, "t").render(List.of(), false));
        assertTrue(e.getMessage().contains("'int' and 'str'"), e.getMessage());
    }

    @Test
    void generationTagRendersItsBody() {
        ChatTemplate t = ChatTemplate.fromJinja("{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}!"
                + "{% endgeneration %}{% else %}{{ m.content }}:{% endif %}{% endfor %}", null, null, "t");
        assertEquals("q:a!", t.render(List.of(ChatMessage.user("q"), ChatMessage.assistant("a")), false));
        assertFalse(t.stopStrings().isEmpty());
        assertEquals(List.of("!"), t.stopStrings());
    }

    @Test
    void badMessagesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ChatMessage(" ", "x"));
        assertThrows(NullPointerException.class, () -> new ChatMessage("user", null));
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int o = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
