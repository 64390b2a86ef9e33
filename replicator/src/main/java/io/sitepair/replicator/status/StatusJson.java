package io.sitepair.replicator.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.sitepair.replicator.pair.Role;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The status's JSON, at both ends: the site's admin endpoint writes it, the operator's tools read
 * it. Keys are the records' components in snake_case, absent (null) fields are left out, a role
 * is its label ({@code live-alone}); fields a newer site adds are ignored when read.
 */
public final class StatusJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new SimpleModule("role-labels")
                    .addSerializer(Role.class, new RoleWriter())
                    .addDeserializer(Role.class, new RoleReader()))
            .build();

    private StatusJson() {}

    /**
     * Builds the serializers of every kind of status now. Built lazily, they cost a busy machine
     * a second of CPU at a site's first status request, which comes as the site fails over or
     * resyncs its peer; a site calls this as it starts, before it has a peer.
     */
    public static void prepare() {
        for (Class<?> kind : List.of(PrimaryStatus.class, BackupStatus.class, StartingStatus.class, NoAnswer.class)) {
            MAPPER.canSerialize(kind);
        }
    }

    public static String write(SiteStatus status) {
        return writeValue(status);
    }

    public static String write(PairStatus status) {
        return writeValue(status);
    }

    /** A site's status from its JSON; throws {@link IllegalArgumentException} if it is not one. */
    public static SiteStatus read(String json) {
        try {
            return MAPPER.readValue(json, SiteStatus.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a site status: " + e.getOriginalMessage(), e);
        }
    }

    /** A pair's status from {@code sitepair status --json}; throws {@link IllegalArgumentException} if it is not one. */
    public static PairStatus readPair(String json) {
        try {
            return MAPPER.readValue(json, PairStatus.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a pair's status: " + e.getOriginalMessage(), e);
        }
    }

    /** The status's fields as its JSON has them, in order (nested objects as maps), for display. */
    public static Map<String, Object> fields(SiteStatus status) {
        return MAPPER.convertValue(status, new TypeReference<>() {});
    }

    private static String writeValue(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the status as JSON", e); // records of plain values: a bug
        }
    }

    private static final class RoleWriter extends JsonSerializer<Role> {
        @Override
        public void serialize(Role role, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(role.label());
        }
    }

    private static final class RoleReader extends JsonDeserializer<Role> {
        @Override
        public Role deserialize(JsonParser in, DeserializationContext context) throws IOException {
            String label = in.getValueAsString();
            return Arrays.stream(Role.values()).filter(r -> r.label().equals(label)).findFirst()
                    .orElseThrow(() -> context.weirdStringException(label, Role.class, "not a site's role"));
        }
    }
}
