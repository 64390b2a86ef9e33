package io.sitepair.ops.config;

import java.time.Duration;
import picocli.CommandLine;

/** {@link Units} as picocli option converters: a value that does not read is a usage error, quoted as picocli does. */
public final class UnitConverters {
    private UnitConverters() {}

    /** A size in bytes, {@link Units#bytes}. */
    public static final class Bytes implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Units.bytes(value);
            } catch (Units.Invalid e) {
                throw usageError(e);
            }
        }
    }

    /** {@link Units#duration}. */
    public static final class Durations implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Units.duration(value);
            } catch (Units.Invalid e) {
                throw usageError(e);
            }
        }
    }

    /** A rate in bits per second, {@link Units#bitsPerSecond}. */
    public static final class BitsPerSecond implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Units.bitsPerSecond(value);
            } catch (Units.Invalid e) {
                throw usageError(e);
            }
        }
    }

    private static CommandLine.TypeConversionException usageError(Units.Invalid e) {
        return new CommandLine.TypeConversionException(e.quoted('\''));
    }
}
