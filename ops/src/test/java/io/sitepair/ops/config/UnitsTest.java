package io.sitepair.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class UnitsTest {

    @Test
    void sizesAreBytesInBinaryUnits() {
        assertEquals(4096, Units.bytes("4096"));
        assertEquals(64L << 10, Units.bytes("64K"));
        assertEquals(64L << 20, Units.bytes("64MiB"));
        assertEquals(64L << 20, Units.bytes(" 64 MB "));
        assertEquals(1L << 30, Units.bytes("1g"));
        assertEquals(5L << 40, Units.bytes("5T"));
        for (String s : List.of("0", "4095", "4K", "64M", "1G", "3K", "5T")) {
            assertEquals(s, Units.formatBytes(Units.bytes(s)));
        }
    }

    @Test
    void sizesRefusedSayWhy() {
        assertRefused("\"64X\" is not a size (examples: 4096, 64M, 1G)", () -> Units.bytes("64X"));
        assertRefused("\"-1\" is not a size (examples: 4096, 64M, 1G)", () -> Units.bytes("-1"));
        assertRefused("\"1.5M\" is not a size (examples: 4096, 64M, 1G)", () -> Units.bytes("1.5M"));
        assertRefused("\"9999999999999999999\" is too large", () -> Units.bytes("9999999999999999999"));
        assertRefused("\"8388608T\" is too large", () -> Units.bytes("8388608T"));
    }

    @Test
    void durationsTakeWholeOrDecimalNumbersWithAUnit() {
        assertEquals(Duration.ofNanos(250_000), Units.duration("250us"));
        assertEquals(Duration.ofNanos(250_000), Units.duration("250µs"));
        assertEquals(Duration.ofNanos(1_500_000), Units.duration("1.5ms"));
        assertEquals(Duration.ofMillis(5), Units.duration("5ms"));
        assertEquals(Duration.ofSeconds(1), Units.duration("1s"));
        assertEquals(Duration.ofMinutes(2), Units.duration("2m"));
        assertEquals(Duration.ofMinutes(2), Units.duration("2min"));
        assertEquals(Duration.ofHours(1), Units.duration("1h"));
        assertEquals(Duration.ofNanos(7), Units.duration("7ns"));
        assertEquals(Duration.ZERO, Units.duration("0"));
    }

    @Test
    void durationsWriteBackAsTheyAreRead() {
        for (String d : List.of("250us", "100ms", "1s", "2m", "1h", "1500ms", "1.5ms", "7ns", "0")) {
            assertEquals(d, Units.formatDuration(Units.duration(d)));
        }
        assertEquals("1s", Units.formatDuration(Duration.ofMillis(1000)));
        assertEquals("2m", Units.formatDuration(Duration.ofSeconds(120)));
        assertEquals("1.234567ms", Units.formatDuration(Duration.ofNanos(1_234_567)));
    }

    @Test
    void durationsRefusedSayWhy() {
        assertRefused("\"500\" needs a unit (examples: 250us, 100ms, 1s, 2m)", () -> Units.duration("500"));
        assertRefused("\"soon\" is not a duration (examples: 250us, 100ms, 1s, 2m)", () -> Units.duration("soon"));
        assertRefused("\"-5ms\" is not a duration (examples: 250us, 100ms, 1s, 2m)", () -> Units.duration("-5ms"));
        assertRefused("\"9999999999h\" is too long", () -> Units.duration("9999999999h"));
    }

    @Test
    void bitsPerSecondAreDecimalBits() {
        assertEquals(1_000_000_000L, Units.bitsPerSecond("1gbit"));
        assertEquals(100_000_000L, Units.bitsPerSecond("100mbit"));
        assertEquals(100_000_000L, Units.bitsPerSecond("100mbit/s"));
        assertEquals(2_500_000L, Units.bitsPerSecond("2.5Mbit"));
        assertEquals(9600, Units.bitsPerSecond("9600"));
        assertEquals(0, Units.bitsPerSecond("0"));
        assertEquals(0, Units.bitsPerSecond("unlimited"));
        assertEquals("100mbit", Units.formatBitsPerSecond(100_000_000L));
        assertEquals("2500kbit", Units.formatBitsPerSecond(2_500_000L));
        assertEquals("unlimited", Units.formatBitsPerSecond(0));
        // tc reads "bps" as bytes, others as bits: refused rather than guessed
        assertRefused("\"10mbps\" is not a rate (examples: 100mbit, 1gbit, 0 = unlimited)",
                () -> Units.bitsPerSecond("10mbps"));
        assertRefused("\"10M/s\" is not a rate (examples: 100mbit, 1gbit, 0 = unlimited)",
                () -> Units.bitsPerSecond("10M/s"));
    }

    @Test
    void bytesPerSecondAreASizePerSecondOrBitsDividedByEight() {
        assertEquals(40L << 20, Units.bytesPerSecond("40M/s"));
        assertEquals(40L << 20, Units.bytesPerSecond("40MiB/s"));
        assertEquals(512L << 10, Units.bytesPerSecond("512K/s"));
        assertEquals(62_500_000L, Units.bytesPerSecond("500mbit"));
        assertEquals(62_500_000L, Units.bytesPerSecond("500Mbit/s"));
        assertEquals(0, Units.bytesPerSecond("unlimited"));
    }

    @Test
    void bytesPerSecondRefusedSayWhy() {
        assertRefused("\"5\" is not a rate (examples: 40M/s, 500mbit, unlimited)", () -> Units.bytesPerSecond("5"));
        assertRefused("\"0M/s\": a rate of 0 stops the resync; say unlimited for no limit",
                () -> Units.bytesPerSecond("0M/s"));
        assertRefused("\"4bit\" is below one byte per second", () -> Units.bytesPerSecond("4bit"));
        assertRefused("\"lots\" is not a size (examples: 4096, 64M, 1G)", () -> Units.bytesPerSecond("lots/s"));
    }

    @Test
    void commandLineConvertersQuoteAsPicocliDoes() {
        CommandLine.TypeConversionException e = assertThrows(CommandLine.TypeConversionException.class,
                () -> new UnitConverters.Bytes().convert("lots"));
        assertEquals("'lots' is not a size (examples: 4096, 64M, 1G)", e.getMessage());
        assertEquals(64L << 20, new UnitConverters.Bytes().convert("64M"));
        assertEquals(Duration.ofMillis(5), new UnitConverters.Durations().convert("5ms"));
        assertEquals(100_000_000L, new UnitConverters.BitsPerSecond().convert("100mbit"));
    }

    private static void assertRefused(String message, org.junit.jupiter.api.function.Executable parse) {
        assertEquals(message, assertThrows(Units.Invalid.class, parse).getMessage());
    }
}
