package dev.ember.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.IterableDataset;
import dev.ember.data.TensorDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
    @TempDir Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void readsTypedColumnsQuotedFieldsAndMissingValuesWithLineNumbers() throws Exception {
        Path f = write("iris.csv", "sepal,width,species,note\n"
                + "5.1,3.5,setosa,plain\n"
                + "4.9,,setosa,\"with, comma\"\n"
                + "\n"
                + "6.2,2.9,virginica,\"two\nlines and \"\"quotes\"\"\"\n"
                + "NA,3.0,versicolor,x\r\n"
                + "-1e2,+.5,setosa,y\n");
        CsvTable t = CsvReader.defaults().read(f);
        assertEquals(List.of("sepal", "width", "species", "note"), t.columnNames());
        assertEquals(5, t.rowCount());
        assertEquals(ColumnType.NUMBER, t.type("sepal"));
        assertEquals(ColumnType.STRING, t.type("species"));
        double[] sepal = t.numbers("sepal");
        assertEquals(5.1, sepal[0]);
        assertTrue(Double.isNaN(sepal[3]));
        assertEquals(-100, sepal[4]);
        assertEquals(0.5, t.numbers("width")[4]);
        assertEquals("with, comma", t.strings("note")[1]);
        assertEquals("two\nlines and \"quotes\"", t.strings("note")[2]);
        // the blank line 4 is skipped; the record on lines 5-6 starts at line 5, so "NA" is on line 7
        assertEquals(List.of(new MissingValue("sepal", 7), new MissingValue("width", 3)), t.missingValues());
        assertEquals(List.of("setosa", "versicolor", "virginica"), t.classes("species"));
    }

    @Test
    void toDatasetNumbersStringClassesAndRefusesMissingValues() throws Exception {
        Path f = write("d.csv", "a,b,label\n1,2,dog\n3,4,cat\n5,,dog\n");
        CsvTable t = CsvReader.defaults().read(f);
        TensorDataset d = t.toDataset("label", "a");
        assertArrayEquals(new float[]{1, 3, 5}, d.inputs().toFloatArray());
        assertArrayEquals(new long[]{1, 0, 1}, d.targets().toLongArray());
        var e = assertThrows(IllegalArgumentException.class, () -> t.toDataset("label", "a", "b"));
        assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("[4]"), e.getMessage());
    }

    @Test
    void wrongFieldCountNamesFileLineAndExpectation() throws Exception {
        Path f = write("bad.csv", "a,b,c\n1,2,3\n4,5\n");
        var e = assertThrows(DataFormatException.class, () -> CsvReader.defaults().read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("expected 3 fields") && e.getMessage().contains("found 2"), e.getMessage());
    }

    @Test
    void nonNumberInADeclaredNumberColumnIsAnError() throws Exception {
        Path f = write("n.csv", "x,y\n1,2\n3,abc\n");
        CsvTable inferred = CsvReader.defaults().read(f);
        assertEquals(ColumnType.STRING, inferred.type("y"));
        var e = assertThrows(DataFormatException.class, () -> CsvReader.builder().type("y", ColumnType.NUMBER).build().read(f));
        assertTrue(e.getMessage().contains("line 3, column 2 ('y')") && e.getMessage().contains("expected a number, found 'abc'"), e.getMessage());
        var missingColumn = assertThrows(DataFormatException.class, () -> CsvReader.builder().type("z", ColumnType.NUMBER).build().read(f));
        assertTrue(missingColumn.getMessage().contains("'z'"), missingColumn.getMessage());
    }

    @Test
    void unterminatedQuoteAndInvalidUtf8AreErrorsWithPositions() throws Exception {
        Path q = write("q.csv", "a,b\n1,\"open\n2,3\n");
        var e = assertThrows(DataFormatException.class, () -> CsvReader.defaults().read(q));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("closing quote"), e.getMessage());
        Path bin = dir.resolve("bin.csv");
        Files.write(bin, new byte[]{'a', ',', 'b', '\n', '1', ',', (byte) 0xC3, (byte) 0x28, '\n'});
        var u = assertThrows(DataFormatException.class, () -> CsvReader.defaults().read(bin));
        assertTrue(u.getMessage().contains("byte 6") && u.getMessage().contains("line 2") && u.getMessage().contains("UTF-8"), u.getMessage());
        Path emptyFile = write("e.csv", "");
        assertThrows(DataFormatException.class, () -> CsvReader.defaults().read(emptyFile));
    }

    @Test
    void textFilesReadLinesRecordsAndStreams() throws Exception {
        Path f = write("fortunes", "first one\n%\nsecond\nspans lines\n%\n");
        assertEquals(List.of("first one", "second\nspans lines"), TextFiles.readRecords(f, "%"));
        assertEquals(5, TextFiles.readLines(f).size());
        IterableDataset<String> lines = TextFiles.lines(f);
        List<String> streamed = new ArrayList<>();
        for (String s : lines) streamed.add(s);
        assertEquals(TextFiles.readLines(f), streamed);
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[]{'o', 'k', '\n', (byte) 0xFF, '\n'});
        var e = assertThrows(DataFormatException.class, () -> TextFiles.read(bad));
        assertTrue(e.getMessage().contains("byte 3"), e.getMessage());
    }
}
