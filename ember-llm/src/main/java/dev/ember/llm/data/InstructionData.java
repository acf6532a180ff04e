package dev.ember.llm.data;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.ember.data.io.DataFormatException;
import dev.ember.llm.chat.ChatMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads instruction datasets in LLaMA-Factory's two formats, as a JSON array of records ({@code .json}) or one record
 * per line ({@code .jsonl}; detected from the first character otherwise), into {@link Conversation}s:
 *
 * <ul>
 *   <li><b>alpaca</b>: {@code instruction} (string), optional {@code input} (string; joined to the instruction with a
 *       newline, as LLaMA-Factory does), {@code output} (string, the assistant's answer), optional {@code system}
 *       (string) and {@code history} (a list of {@code [instruction, response]} pairs, earlier turns).</li>
 *   <li><b>sharegpt</b>: {@code conversations}, a list of {@code {"from": ..., "value": ...}} with {@code from} one of
 *       {@code human}/{@code user}, {@code gpt}/{@code assistant}, and {@code system} (first turn only); after the
 *       optional system turn, turns alternate user, assistant, ... and end with the assistant; optional record-level
 *       {@code system}. The OpenAI form, {@code messages} with {@code role}/{@code content}, is read the same way.</li>
 * </ul>
 *
 * Other fields are ignored. Every error is a {@link DataFormatException} naming the file, the record (0-based, as
 * in the file; in JSON lines also its line) and the field, e.g. {@code data.json: record 3, field
 * 'conversations[1].from': expected ...} or {@code data.jsonl: line 5 (record 3), field 'output': missing}.
 */
public final class InstructionData {
    private InstructionData() {}

    private static final TypeAdapter<JsonElement> ELEMENTS = new Gson().getAdapter(JsonElement.class);

    /** The records of {@code file}, the format detected from the first record's fields. */
    public static List<Conversation> read(Path file) { return read(file, null); }

    /** The records of {@code file} in {@code format} (null: detect it from the first record). */
    public static List<Conversation> read(Path file, InstructionFormat format) {
        List<Record> records = records(file);
        if (records.isEmpty()) throw new DataFormatException(file, "records", "the file holds no records");
        InstructionFormat f = format != null ? format : detect(file, records.getFirst());
        List<Conversation> out = new ArrayList<>(records.size());
        for (Record rec : records) {
            JsonElement r = rec.value();
            if (!r.isJsonObject()) throw new DataFormatException(file, rec.where(), "expected a JSON object, found " + kind(r));
            out.add(f == InstructionFormat.ALPACA ? alpaca(r.getAsJsonObject(), file, rec.where()) : sharegpt(r.getAsJsonObject(), file, rec.where()));
        }
        return out;
    }

    /**
     * One record and where it is: {@code record 3} in a JSON array, {@code line 5 (record 3)} in JSON lines, where
     * blank lines make the two differ.
     */
    private record Record(JsonElement value, String where) {}

    /** The format the fields of {@code record} show: {@code conversations}/{@code messages}: sharegpt; {@code instruction}: alpaca. */
    private static InstructionFormat detect(Path file, Record record) {
        if (record.value().isJsonObject()) {
            JsonObject o = record.value().getAsJsonObject();
            if (o.has("conversations") || o.has("messages")) return InstructionFormat.SHAREGPT;
            if (o.has("instruction")) return InstructionFormat.ALPACA;
        }
        throw new DataFormatException(file, record.where(), "neither alpaca (an 'instruction' field) nor sharegpt (a 'conversations' or 'messages' "
                + "field)");
    }

    /** The raw records: a JSON array, or JSON lines (blank lines skipped), read strictly. */
    private static List<Record> records(Path file) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "text", "expected UTF-8 text, found an invalid byte sequence", e);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("instruction data: " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("instruction data: cannot read " + file + ": " + e, e); // the exception's class says why
        }
        String head = text.stripLeading();
        if (head.startsWith("\uFEFF")) head = head.substring(1).stripLeading();
        List<Record> out = new ArrayList<>();
        if (head.startsWith("[")) {
            try (JsonReader r = strict(new StringReader(head))) {
                r.beginArray();
                while (r.hasNext()) out.add(new Record(ELEMENTS.read(r), "record " + out.size()));
                r.endArray();
                if (r.peek() != JsonToken.END_DOCUMENT) throw new DataFormatException(file, "after the array", "unexpected content");
            } catch (IOException | JsonParseException | IllegalStateException e) {
                throw new DataFormatException(file, "record " + out.size(), "not valid JSON: " + e.getMessage(), e);
            }
            return out;
        }
        try (BufferedReader lines = new BufferedReader(new StringReader(text))) {
            String line;
            int n = 0;
            while ((line = lines.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                try (JsonReader r = strict(new StringReader(line))) {
                    out.add(new Record(ELEMENTS.read(r), "line " + n + " (record " + out.size() + ")"));
                    if (r.peek() != JsonToken.END_DOCUMENT) throw new DataFormatException(file, out.getLast().where(),
                            "more than one JSON value on the line");
                } catch (IOException | JsonParseException | IllegalStateException e) {
                    throw new DataFormatException(file, "line " + n + " (record " + out.size() + ")", "not valid JSON: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static JsonReader strict(StringReader in) {
        JsonReader r = new JsonReader(in);
        r.setStrictness(Strictness.STRICT);
        return r;
    }

    private static Conversation alpaca(JsonObject o, Path file, String i) {
        String instruction = string(o, "instruction", file, i, false);
        String input = string(o, "input", file, i, true);
        String output = string(o, "output", file, i, false);
        String system = string(o, "system", file, i, true);
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null && !system.isEmpty()) messages.add(ChatMessage.system(system));
        JsonElement history = o.get("history");
        if (history != null && !history.isJsonNull()) {
            if (!history.isJsonArray()) throw field(file, i, "history", "expected a list of [instruction, response] pairs, found " + kind(history));
            JsonArray h = history.getAsJsonArray();
            for (int k = 0; k < h.size(); k++) {
                JsonElement pair = h.get(k);
                if (!pair.isJsonArray() || pair.getAsJsonArray().size() != 2 || !isString(pair.getAsJsonArray().get(0))
                        || !isString(pair.getAsJsonArray().get(1)))
                    throw field(file, i, "history[" + k + "]", "expected a pair [instruction, response] of strings, found " + pair);
                messages.add(ChatMessage.user(pair.getAsJsonArray().get(0).getAsString()));
                messages.add(ChatMessage.assistant(pair.getAsJsonArray().get(1).getAsString()));
            }
        }
        String query = input == null || input.isEmpty() ? instruction : instruction.isEmpty() ? input : instruction + "\n" + input;
        if (query.isEmpty()) throw field(file, i, "instruction", "the instruction and input are both empty");
        messages.add(ChatMessage.user(query));
        messages.add(ChatMessage.assistant(output));
        return new Conversation(messages);
    }

    private static Conversation sharegpt(JsonObject o, Path file, String i) {
        boolean openai = !o.has("conversations") && o.has("messages");
        String listName = openai ? "messages" : "conversations", roleKey = openai ? "role" : "from", textKey = openai ? "content" : "value";
        JsonElement list = o.get(listName);
        if (list == null || list.isJsonNull()) throw field(file, i, "conversations", "missing (a list of {\"from\": ..., \"value\": ...})");
        if (!list.isJsonArray()) throw field(file, i, listName, "expected a list of turns, found " + kind(list));
        JsonArray turns = list.getAsJsonArray();
        List<ChatMessage> messages = new ArrayList<>();
        String system = string(o, "system", file, i, true);
        if (system != null && !system.isEmpty()) messages.add(ChatMessage.system(system));
        int expect = 0; // 0: user next, 1: assistant next
        for (int k = 0; k < turns.size(); k++) {
            String where = listName + "[" + k + "]";
            JsonElement t = turns.get(k);
            if (!t.isJsonObject()) throw field(file, i, where, "expected {\"" + roleKey + "\": ..., \"" + textKey + "\": ...}, found " + kind(t));
            String from = string(t.getAsJsonObject(), roleKey, file, i, where + ".", false);
            String value = string(t.getAsJsonObject(), textKey, file, i, where + ".", false);
            String role = switch (from) {
                case "human", "user" -> ChatMessage.USER;
                case "gpt", "assistant" -> ChatMessage.ASSISTANT;
                case "system" -> ChatMessage.SYSTEM;
                default -> throw field(file, i, where + "." + roleKey, "unknown role '" + from + "' (human/user, gpt/assistant, system)");
            };
            if (role.equals(ChatMessage.SYSTEM)) {
                if (k != 0 || (system != null && !system.isEmpty()))
                    throw field(file, i, where + "." + roleKey, "a system turn may only come first (and not beside a record-level 'system')");
                messages.add(ChatMessage.system(value));
                continue;
            }
            boolean wantUser = expect == 0;
            if (wantUser != role.equals(ChatMessage.USER))
                throw field(file, i, where + "." + roleKey, "expected " + (wantUser ? "a user (human)" : "an assistant (gpt)") + " turn, found '" + from
                        + "' (turns alternate user, assistant, ...)");
            messages.add(new ChatMessage(role, value));
            expect = 1 - expect;
        }
        if (messages.stream().noneMatch(ChatMessage::isAssistant)) throw field(file, i, listName, "no assistant turn");
        if (expect == 1) throw field(file, i, listName, "ends with a user turn; the last turn must be the assistant's");
        return new Conversation(messages);
    }

    private static String string(JsonObject o, String key, Path file, String i, boolean optional) { return string(o, key, file, i, "", optional); }

    private static String string(JsonObject o, String key, Path file, String i, String prefix, boolean optional) {
        JsonElement v = o.get(key);
        if (v == null || v.isJsonNull()) {
            if (optional) return null;
            throw field(file, i, prefix + key, "missing");
        }
        if (!isString(v)) throw field(file, i, prefix + key, "expected a string, found " + kind(v));
        return v.getAsString();
    }

    private static boolean isString(JsonElement v) { return v.isJsonPrimitive() && v.getAsJsonPrimitive().isString(); }

    private static String kind(JsonElement v) {
        if (v.isJsonNull()) return "null";
        if (v.isJsonArray()) return "a list";
        if (v.isJsonObject()) return "an object";
        var p = v.getAsJsonPrimitive();
        return p.isNumber() ? "a number" : p.isBoolean() ? "a boolean" : "a string";
    }

    private static DataFormatException field(Path file, String record, String field, String problem) {
        return new DataFormatException(file, record + ", field '" + field + "'", problem);
    }
}
