package io.sitepair.ops.drill.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code report.json}: a {@link DrillReport} with snake_case names, {@code schema} first, instants
 * as ISO-8601 and NaN ("not measured") as null, since JSON has no NaN.
 */
final class ReportJson {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            // Every field is written, null included: a missing one means a damaged file, named in the refusal.
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .addModule(new SimpleModule("drill-report")
                    .addSerializer(double.class, new NanAsNull())
                    .addSerializer(Double.class, new NanAsNull())
                    .addDeserializer(double.class, new NullAsNan())
                    .addDeserializer(Double.class, new NullAsNan())
                    .addSerializer(Instant.class, new InstantAsText())
                    .addDeserializer(Instant.class, new InstantFromText()))
            .build();

    private ReportJson() {}

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("records of plain values are always JSON", e);
        }
    }

    /** The report in {@code json}, or an IOException naming {@code file} and what is wrong with it. */
    static DrillReport read(byte[] json, Path file) throws IOException {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw unreadable(file, "not JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw unreadable(file, "not a JSON object");
        }
        JsonNode schema = tree.get("schema");
        if (schema == null || !schema.canConvertToExactIntegral()) {
            throw unreadable(file, "no schema number");
        }
        if (schema.asInt() > DrillReport.SCHEMA) {
            throw unreadable(file, "written by a newer sitepair (report schema " + schema.asText()
                    + "; this one reads schema " + DrillReport.SCHEMA + " and older): upgrade sitepair to read it");
        }
        try {
            return MAPPER.treeToValue(tree, DrillReport.class);
        } catch (JsonMappingException e) {
            throw unreadable(file, "not a drill report" + where(e) + ": " + reason(e));
        } catch (JsonProcessingException e) {
            throw unreadable(file, "not a drill report: " + e.getOriginalMessage());
        }
    }

    /** Where in the report the mapping failed, as {@code  (at objectives[2].verdict)}; empty at the top. */
    private static String where(JsonMappingException e) {
        StringBuilder at = new StringBuilder();
        for (JsonMappingException.Reference step : e.getPath()) {
            if (step.getFieldName() != null) {
                at.append(at.isEmpty() ? "" : ".").append(step.getFieldName());
            } else if (step.getIndex() >= 0) {
                at.append('[').append(step.getIndex()).append(']');
            }
        }
        return at.isEmpty() ? "" : " (at " + at + ")";
    }

    private static String reason(JsonMappingException e) {
        if (e.getCause() instanceof NullPointerException npe) {
            // the record's own checks name the component; a JDK collection's check does not
            String name = npe.getMessage();
            return "a required value is null" + (name != null && name.matches("\\w+") ? ": " + name : "");
        }
        String message = e.getOriginalMessage();
        int hint = message.indexOf("; `"); // Jackson's own hint, such as the feature that refused it
        return hint < 0 ? message : message.substring(0, hint);
    }

    private static IOException unreadable(Path file, String why) {
        return new IOException("drill report " + file + " is unreadable: " + why);
    }

    private static final class NanAsNull extends StdSerializer<Double> {
        NanAsNull() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
            if (value.isNaN()) {
                out.writeNull();
            } else {
                out.writeNumber(value);
            }
        }
    }

    private static final class NullAsNan extends StdDeserializer<Double> {
        NullAsNan() {
            super(Double.class);
        }

        @Override
        public Double deserialize(JsonParser in, DeserializationContext context) throws IOException {
            return in.currentToken().isNumeric()
                    ? in.getDoubleValue() : (Double) context.handleUnexpectedToken(Double.class, in);
        }

        @Override
        public Double getNullValue(DeserializationContext context) {
            return Double.NaN;
        }
    }

    private static final class InstantAsText extends StdSerializer<Instant> {
        InstantAsText() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(value.toString());
        }
    }

    private static final class InstantFromText extends StdDeserializer<Instant> {
        InstantFromText() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser in, DeserializationContext context) throws IOException {
            if (in.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) context.handleUnexpectedToken(Instant.class, in);
            }
            String text = in.getText();
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                return (Instant) context.handleWeirdStringValue(Instant.class, text,
                        "not an ISO-8601 instant such as 2026-12-06T14:15:02Z");
            }
        }
    }
}
