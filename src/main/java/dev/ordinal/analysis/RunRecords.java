package dev.ordinal.analysis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Instant;

/** JSON for {@link RunRecord}s, e.g. to keep them in an annotation. Instants are ISO-8601 text. */
public final class RunRecords {
  private static final ObjectMapper JSON = mapper();

  private RunRecords() {}

  public static String toJson(RunRecord record) {
    try {
      return JSON.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write run record " + record.runId(), e);
    }
  }

  /**
   * @throws IllegalArgumentException when {@code json} is not a run record
   */
  public static RunRecord fromJson(String json) {
    try {
      return JSON.readValue(json, RunRecord.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not an analysis run record: " + e.getOriginalMessage(), e);
    }
  }

  private static ObjectMapper mapper() {
    SimpleModule instants = new SimpleModule("instants");
    instants.addSerializer(
        Instant.class,
        new JsonSerializer<Instant>() {
          @Override
          public void serialize(Instant value, JsonGenerator out, SerializerProvider provider)
              throws IOException {
            out.writeString(value.toString());
          }
        });
    instants.addDeserializer(
        Instant.class,
        new JsonDeserializer<Instant>() {
          @Override
          public Instant deserialize(JsonParser in, DeserializationContext context)
              throws IOException {
            return Instant.parse(in.getValueAsString());
          }
        });
    return new ObjectMapper()
        .registerModule(instants)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  }
}
