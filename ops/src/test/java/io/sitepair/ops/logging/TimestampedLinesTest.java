package io.sitepair.ops.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TimestampedLinesTest {
    @Test
    void everyLineStartsWithTheTimeAndKeepsItsText() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(new TimestampedLines(new PrintStream(captured, true, StandardCharsets.UTF_8)), true,
                StandardCharsets.UTF_8);
        log.print("sitepair: one\ntwo ");
        log.println("continued");
        log.println();
        log.write('x');
        log.println("y");
        String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n", -1);
        assertEquals(5, lines.length, String.join("|", lines)); // four lines and what follows the last newline
        String stamp = "\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d ";
        assertTrue(lines[0].matches(stamp + "sitepair: one"), lines[0]);
        assertTrue(lines[1].matches(stamp + "two continued"), lines[1]);
        assertTrue(lines[2].matches(stamp), lines[2]);
        assertTrue(lines[3].matches(stamp + "xy"), lines[3]);
        assertEquals("", lines[4], "no stamp before a line has begun");
    }
}
