package dev.ember.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.testing.Allocation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming CSV reader: memory and work follow the parsed values (no whole-file string, no
 * regular expression per value), and the results equal a straightforward reading even where
 * records, quoted fields and UTF-8 sequences straddle the 64 KiB buffers.
 */
class CsvStreamingTest {
    @TempDir
    Path dir;

    @Test
    void allocationFollowsTheValuesNotARegexPerValue() throws Exception {
        // 40,000 rows of 5 numbers, 1 category and 1 word: about 1.9 MB of text
        Random r = new Random(3);
        StringBuilder sb = new StringBuilder("a,b,c,d,e,kind,word\n");
        String[] kinds = {"alpha", "beta", "gamma"};
        for (int i = 0; i < 40_000; i++) {
            for (int c = 0; c < 5; c++) sb.append(String.format("%.5f", r.nextGaussian() * 100)).append(',');
            sb.append(kinds[r.nextInt(3)]).append(',').append(Long.toString(r.nextLong() >>> 20, 36)).append('\n');
        }
        Path f = dir.resolve("big.csv");
        Files.writeString(f, sb);
        long size = Files.size(f);
        CsvTable[] table = new CsvTable[1];
        long allocated = Allocation.bytesAllocatedBy(() -> table[0] = CsvReader.defaults().read(f));
        assertEquals(40_000, table[0].rowCount());
        // The whole-text reader compiled a regex per value: about 570 bytes allocated per byte of
        // text. Streaming spends a temporary string or two per value (about 14 bytes per byte).
        assertTrue(allocated < 40 * size, "allocated " + allocated + " bytes reading " + size + " bytes of CSV");
        // the category column shares its three strings
        String[] kind = table[0].strings("kind");
        assertTrue(kind[0] == kind[java.util.Arrays.asList(kind).lastIndexOf(kind[0])], "repeated values are one String");
    }

    @Test
    void aColumnThatTurnsToTextLateKeepsEveryOriginalSpelling() throws Exception {
        StringBuilder sb = new StringBuilder("x,y\n");
        for (int i = 0; i < 30_000; i++) sb.append(i).append(".50,").append(i % 7 == 0 ? "NA" : "1e1").append('\n');
        sb.append("n/a,2\n");
        Path f = dir.resolve("late.csv");
        Files.writeString(f, sb);
        CsvTable t = CsvReader.defaults().read(f);
        assertEquals(ColumnType.STRING, t.type("x"));
        assertEquals(ColumnType.NUMBER, t.type("y"));
        String[] x = t.strings("x");
        assertEquals("0.50", x[0]);
        assertEquals("29999.50", x[29_999]);
        assertEquals("n/a", x[30_000]);
        double[] y = t.numbers("y");
        assertTrue(Double.isNaN(y[0]) && y[1] == 10 && y[30_000] == 2);
        assertEquals(30_000 / 7 + 1, t.missingValues("y").size());
        assertEquals(2, t.missingValues("y").get(0).line());
        var declared = assertThrows(DataFormatException.class, () -> CsvReader.builder().type("x", ColumnType.NUMBER).build().read(f));
        assertTrue(declared.getMessage().contains("line 30002, column 1 ('x')") && declared.getMessage().contains("'n/a'"), declared.getMessage());
    }

    @Test
    void recordsQuotesAndUtf8StraddlingBufferBoundariesReadExactly() throws Exception {
        // fields of every length around the 64 KiB buffer size, with multi-byte characters,
        // quoted line breaks, doubled quotes and CRLF, compared with the values written
        Random r = new Random(11);
        String[] alphabet = {"a", "é", "€", "😀", "\"", ",", "\n", "\r\n", " "};
        StringBuilder sb = new StringBuilder("\uFEFFid,text,n\r\n");
        List<String> expected = new java.util.ArrayList<>();
        long line = 2;
        List<Long> lines = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            StringBuilder v = new StringBuilder();
            int len = i % 3 == 0 ? 65_530 + r.nextInt(12) : r.nextInt(3000);
            while (v.length() < len) v.append(alphabet[r.nextInt(alphabet.length)]);
            if (v.toString().isBlank()) v.append('x');
            expected.add(v.toString());
            lines.add(line);
            sb.append(i).append(",\"").append(v.toString().replace("\"", "\"\"")).append("\",").append(i * 0.25).append(i % 2 == 0 ? "\r\n" : "\n");
            line += 1 + v.chars().filter(ch -> ch == '\n').count();
        }
        Path f = dir.resolve("straddle.csv");
        Files.writeString(f, sb, StandardCharsets.UTF_8);
        CsvTable t = CsvReader.defaults().read(f);
        assertEquals(60, t.rowCount());
        assertEquals(expected, List.of(t.strings("text")));
        assertEquals(14.75, t.numbers("n")[59]);
        assertEquals(List.of("id", "text", "n"), t.columnNames(), "byte-order mark dropped");
        // an error after the data above still names its exact line
        Files.writeString(f, sb + "61,short\n", StandardCharsets.UTF_8);
        var e = assertThrows(DataFormatException.class, () -> CsvReader.defaults().read(f));
        assertTrue(e.getMessage().contains("line " + line + ": expected 3 fields"), e.getMessage());
    }

    @Test
    void invalidUtf8BeyondTheFirstBufferNamesItsByteAndLine() throws Exception {
        var bytes = new ByteArrayOutputStream();
        bytes.writeBytes("a,b\n".getBytes(StandardCharsets.UTF_8));
        int lines = 1;
        while (bytes.size() < 200_000) {
            bytes.writeBytes("1,é\n".getBytes(StandardCharsets.UTF_8));
            lines++;
        }
        int bad = bytes.size() + 2;
        bytes.writeBytes(new byte[]{'2', ',', (byte) 0xE2, (byte) 0x82, '\n'}); // a cut 3-byte sequence
        Path f = dir.resolve("utf8.csv");
        Files.write(f, bytes.toByteArray());
        var e = assertThrows(DataFormatException.class, () -> CsvReader.defaults().read(f));
        assertTrue(e.getMessage().contains("byte " + bad + " (line " + (lines + 1) + ")"), e.getMessage());
        // a sequence cut by the end of the file
        Files.write(f, new byte[]{'a', '\n', (byte) 0xC3});
        var end = assertThrows(DataFormatException.class, () -> CsvReader.defaults().read(f));
        assertTrue(end.getMessage().contains("byte 2 (line 2)"), end.getMessage());
    }

    @Test
    void numberGrammarIsPlainDecimalOnly() throws Exception {
        Path f = dir.resolve("n.csv");
        Files.writeString(f, "v\n1.\n.5\n-2e-3\n+Infinity\n-inf\n INF \n");
        assertArrayEquals(new double[]{1, 0.5, -2e-3, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY},
                CsvReader.defaults().read(f).numbers("v"));
        for (String notANumber : new String[]{"1d", "0x1p3", "1e", ".", "+", "Infinityx", "1..2", "e5", "1,5".replace(",", ";")}) {
            Files.writeString(f, "v\n1\n" + notANumber + "\n");
            CsvTable t = CsvReader.defaults().read(f);
            assertEquals(ColumnType.STRING, t.type("v"), notANumber);
            assertEquals(List.of("1", notANumber), List.of(t.strings("v")));
        }
        Files.writeString(f, "v\nNaN\n?\n");
        CsvTable missing = CsvReader.defaults().read(f);
        assertEquals(ColumnType.NUMBER, missing.type("v"));
        assertEquals(2, missing.missingValues().size());
        Files.writeString(f, "v,w\n\"\",\"x\"\n");
        CsvTable quoted = CsvReader.defaults().read(f);
        assertTrue(Double.isNaN(quoted.numbers("v")[0]), "a quoted empty field is missing");
        assertEquals("x", quoted.strings("w")[0]);
    }
}
