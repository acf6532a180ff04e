package dev.ember.data.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ember.testing.FuzzTargets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz target: {@link CsvReader#read} on arbitrary bytes. Documented failure:
 * {@link DataFormatException}. A table that reads has columns of its row count, and reading it
 * again with its text columns declared STRING gives the same text: the second pass that fills
 * in a column found to be text late agrees with reading it as text from the start.
 */
public class CsvReaderFuzzTest {
    private static final List<Class<? extends Exception>> DOCUMENTED = List.of(DataFormatException.class);

    @BeforeAll
    static void warmUp() throws Exception {
        for (byte[] seed : seeds().values()) check(seed);
    }

    @DictionaryFile(resourcePath = "csv.dict")
    @FuzzTest(maxDuration = "20s")
    void read(byte[] data) throws Exception {
        check(data);
    }

    private static void check(byte[] data) throws Exception {
        Path p = FuzzTargets.file("input.csv", data);
        long budget = (16 << 20) + 256L * data.length;
        CsvTable t = FuzzTargets.read(() -> CsvReader.defaults().read(p), budget, DOCUMENTED);
        if (t == null) return;
        CsvReader.Builder asText = CsvReader.builder();
        for (String c : t.columnNames()) {
            if (t.type(c) == ColumnType.NUMBER) assertEquals(t.rowCount(), t.numbers(c).length, c);
            else asText.type(c, ColumnType.STRING);
        }
        for (MissingValue m : t.missingValues()) assertTrue(m.line() >= 2, m.toString());
        CsvTable again = FuzzTargets.read(() -> asText.build().read(p), budget, List.of());
        for (String c : t.columnNames())
            if (t.type(c) == ColumnType.STRING) assertArrayEquals(t.strings(c), again.strings(c), c);
        assertEquals(t.missingValues(), again.missingValues());
    }

    /** The committed seeds: typed columns, quoting, missing markers, line ends, a byte-order mark. */
    public static Map<String, byte[]> seeds() {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("iris.csv", "sepal,width,species\n5.1,3.5,setosa\n4.9,,setosa\nNA,3.0,versicolor\n-1e2,+.5,virginica\n");
        text.put("quoted.csv", "id,note\r\n1,\"with, comma\"\r\n2,\"two\nlines and \"\"quotes\"\"\"\r\n3,plain\r\n");
        text.put("late_text.csv", "x,y\n1,2\n3,4\n5,n/a\n\n6,7\n");
        text.put("bom_inf.csv", "\uFEFFa;b\n-inf;?\nInfinity;NaN\n");
        text.put("unicode.csv", "名前,値\n分词器,1\n😀,2.5e-3\n");
        text.put("cr_only.csv", "a,b\r1,2\r3,4");
        Map<String, byte[]> out = new LinkedHashMap<>();
        text.forEach((name, csv) -> out.put(name, csv.getBytes(StandardCharsets.UTF_8)));
        return out;
    }
}
