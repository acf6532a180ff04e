package dev.ember.llm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.io.DataFormatException;
import dev.ember.llm.chat.ChatMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LLaMA-Factory's alpaca and sharegpt formats, in JSON and JSON lines, and errors that name file, record and field. */
class InstructionDataTest {
    @TempDir Path dir;

    Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void alpacaJoinsInstructionAndInputAndReplaysHistory() throws IOException {
        Path f = write("a.json", """
                [{"instruction": "Translate", "input": "bonjour", "output": "hello", "system": "Be exact."},
                 {"instruction": "And this?", "input": "", "output": "goodbye", "history": [["Say hi", "hi"], ["Again", "hi again"]]}]
                """);
        List<Conversation> c = InstructionData.read(f);
        assertEquals(List.of(ChatMessage.system("Be exact."), ChatMessage.user("Translate\nbonjour"), ChatMessage.assistant("hello")),
                c.get(0).messages());
        assertEquals(List.of(ChatMessage.user("Say hi"), ChatMessage.assistant("hi"), ChatMessage.user("Again"), ChatMessage.assistant("hi again"),
                ChatMessage.user("And this?"), ChatMessage.assistant("goodbye")), c.get(1).messages());
        assertEquals("goodbye", c.get(1).answer());
        assertEquals(5, c.get(1).prompt().size());
    }

    @Test
    void sharegptJsonLinesAndOpenAiMessages() throws IOException {
        Path f = write("s.jsonl", """
                {"conversations": [{"from": "system", "value": "S"}, {"from": "human", "value": "q1"}, {"from": "gpt", "value": "a1"}]}

                {"system": "T", "conversations": [{"from": "user", "value": "q"}, {"from": "assistant", "value": "a"}, {"from": "human", "value": "q2"}, {"from": "gpt", "value": "a2"}]}
                {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}
                """);
        List<Conversation> c = InstructionData.read(f);
        assertEquals(3, c.size());
        assertEquals(List.of(ChatMessage.system("S"), ChatMessage.user("q1"), ChatMessage.assistant("a1")), c.get(0).messages());
        assertEquals(5, c.get(1).messages().size());
        assertEquals(ChatMessage.system("T"), c.get(1).messages().getFirst());
        assertEquals(List.of(ChatMessage.user("x"), ChatMessage.assistant("y")), c.get(2).messages());
    }

    void refused(String name, String text, String position) throws IOException {
        Path f = write(name, text);
        var e = assertThrows(DataFormatException.class, () -> InstructionData.read(f));
        assertTrue(e.getMessage().startsWith(f + ": " + position), e.getMessage());
    }

    @Test
    void badRecordsNameFileRecordAndField() throws IOException {
        refused("1.json", "[{\"instruction\": \"a\", \"output\": \"b\"}, {\"instruction\": \"a\", \"output\": 3}]", "record 1, field 'output': expected a string");
        refused("2.json", "[{\"instruction\": \"a\"}]", "record 0, field 'output': missing");
        refused("3.json", "[{\"instruction\": \"a\", \"output\": \"b\", \"history\": [[\"x\"]]}]", "record 0, field 'history[0]'");
        refused("4.jsonl", "{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"human\", \"value\": \"q\"}]}",
                "line 1 (record 0), field 'conversations[1].from': expected an assistant");
        refused("5.jsonl", "{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\", \"value\": \"a\"}]}\n"
                + "{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"robot\", \"value\": \"a\"}]}", "line 2 (record 1), field 'conversations[1].from': unknown role 'robot'");
        refused("6.jsonl", "{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}]}", "line 1 (record 0), field 'conversations': no assistant turn");
        refused("7.jsonl", "{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"}, {\"from\": \"gpt\"}]}", "line 1 (record 0), field 'conversations[1].value': missing");
        refused("8.jsonl", "{\"conversations\": []}\n{oops}", "line 2 (record 1): not valid JSON");
        refused("9.json", "[{\"instruction\": \"a\", \"output\": \"b\"}, 7]", "record 1: expected a JSON object");
        refused("10.json", "[{\"question\": \"a\"}]", "record 0: neither alpaca");
        refused("11.json", "[]", "records: the file holds no records");
        refused("12.json", "[{\"instruction\": \"a\", \"output\": \"b\"}", "record 1: not valid JSON");
        refused("13.json", "[{\"instruction\": \"\", \"input\": \"\", \"output\": \"b\"}]", "record 0, field 'instruction': the instruction and input are both empty");
        // in JSON lines the line is named too: blank lines make it differ from the record's index
        refused("14.jsonl", "\n{\"instruction\": \"a\", \"output\": \"b\"}\n\n{\"instruction\": \"a\"}\n", "line 4 (record 1), field 'output': missing");
        refused("15.jsonl", "\n\n{\"question\": \"a\"}", "line 3 (record 0): neither alpaca");
        Path missing = dir.resolve("missing.json");
        var e = assertThrows(IllegalArgumentException.class, () -> InstructionData.read(missing));
        assertEquals("instruction data: " + missing + " does not exist", e.getMessage());
    }

    @Test
    void explicitFormatOverridesDetection() throws IOException {
        Path f = write("x.json", "[{\"conversations\": [], \"instruction\": \"i\", \"output\": \"o\"}]");
        assertEquals(List.of(ChatMessage.user("i"), ChatMessage.assistant("o")), InstructionData.read(f, InstructionFormat.ALPACA).getFirst().messages());
    }
}
