package dev.ember.llm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hugging Face chat templates rendered by Ember against jinja2's own renderings (with transformers' environment:
 * trim_blocks, lstrip_blocks, raise_exception), from benchmarks/reference/make_chat_template_refs.py.
 */
class ChatTemplateJinjaTest {
    static JsonObject refs() {
        var in = ChatTemplateJinjaTest.class.getResourceAsStream("/chat/templates.json");
        assertNotNull(in, "missing /chat/templates.json; run benchmarks/reference/make_chat_template_refs.py");
        return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    static Stream<JsonObject> cases() {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : refs().getAsJsonArray("cases")) out.add(e.getAsJsonObject());
        return out.stream();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void rendersAsJinja2Does(JsonObject c) {
        JsonObject all = refs();
        String name = c.get("template").getAsString();
        ChatTemplate t = ChatTemplate.fromJinja(all.getAsJsonObject("templates").get(name).getAsString(), all.get("bos_token").getAsString(),
                all.get("eos_token").getAsString(), name);
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonElement m : c.getAsJsonArray("messages"))
            messages.add(new ChatMessage(m.getAsJsonObject().get("role").getAsString(), m.getAsJsonObject().get("content").getAsString()));
        boolean gen = c.get("add_generation_prompt").getAsBoolean();
        if (c.has("error")) {
            var e = assertThrows(IllegalArgumentException.class, () -> t.render(messages, gen));
            assertTrue(e.getMessage().contains(c.get("error").getAsString()), e.getMessage());
            assertTrue(e.getMessage().startsWith(name + ": line 1"), e.getMessage());
        } else {
            assertEquals(c.get("text").getAsString(), t.render(messages, gen), name + " / " + c.get("conversation").getAsString() + " / " + gen);
        }
    }
}
