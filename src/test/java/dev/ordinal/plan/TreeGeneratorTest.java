package dev.ordinal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TreeGeneratorTest {

  /** The reference: Jackson's own path through a token buffer. Equal means equal node types too. */
  private static void assertSameTree(Object value) {
    assertSameTree(Normaliser.MAPPER, value);
  }

  private static void assertSameTree(ObjectMapper mapper, Object value) {
    JsonNode expected = mapper.valueToTree(value);
    JsonNode actual = TreeGenerator.valueToTree(mapper, value);
    assertEquals(expected, actual);
    assertEquals(expected.toString(), actual.toString(), "field order");
  }

  @Test
  void modelsComeOutAsJacksonsOwnTreesWithTheSameNodeTypes() {
    assertSameTree(Fixtures.desiredStatefulSet());
    assertSameTree(Fixtures.liveStatefulSet());
    assertSameTree(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("settings")
            .endMetadata()
            .addToData("a", "1")
            .addToBinaryData("b", "AAE=")
            .build());
    assertSameTree(
        new SecretBuilder()
            .withNewMetadata()
            .withName("creds")
            .endMetadata()
            .addToData("password", "c2VjcmV0")
            .build());
  }

  @Test
  void everyKindOfValueKeepsItsType() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("int", 7);
    nested.put("long", 7_000_000_000L);
    nested.put("bigInteger", new BigInteger("123456789012345678901234567890"));
    nested.put("double", 0.25);
    nested.put("float", 1.5f);
    nested.put("bigDecimal", new BigDecimal("1.10"));
    nested.put("zeroDecimal", new BigDecimal("0.000"));
    nested.put("short", (short) 3);
    nested.put("true", true);
    nested.put("null", null);
    nested.put("bytes", new byte[] {0, 1, 2, (byte) 255});
    nested.put("emptyList", List.of());
    nested.put("emptyMap", Map.of());
    List<Object> items = new ArrayList<>();
    items.add(Map.of("name", "a"));
    items.add(List.of(1, "two", false));
    items.add(null);
    nested.put("items", items);
    Map<String, Object> deep = new HashMap<>();
    deep.put("deeper", Map.of("deepest", List.of(Map.of("x", 1))));
    nested.put("deep", deep);
    GenericKubernetesResource generic = new GenericKubernetesResource();
    generic.setApiVersion("example.com/v1");
    generic.setKind("Widget");
    generic.setAdditionalProperty("spec", nested);

    assertSameTree(generic);
    assertSameTree(nested);
    assertSameTree(items);
    assertSameTree("text");
    assertSameTree(42);
  }

  @Test
  void deepNestingGrowsTheStack() {
    Map<String, Object> value = new LinkedHashMap<>();
    Map<String, Object> cursor = value;
    for (int i = 0; i < 40; i++) {
      Map<String, Object> next = new LinkedHashMap<>();
      cursor.put("level" + i, List.of(next));
      cursor = next;
    }
    cursor.put("bottom", true);

    assertSameTree(value);
    ObjectNode tree = TreeGenerator.valueToTree(Normaliser.MAPPER, value);
    assertEquals(true, tree.at("/level0/0/level1/0/level2/0/level3").isArray());
  }

  /** Writes through the generator calls no model serializer makes, but a custom one may. */
  @JsonSerialize(using = UnusualWrites.Writer.class)
  static final class UnusualWrites {
    static final class Writer extends StdSerializer<UnusualWrites> {
      Writer() {
        super(UnusualWrites.class);
      }

      @Override
      public void serialize(UnusualWrites value, JsonGenerator gen, SerializerProvider provider)
          throws IOException {
        gen.writeStartObject();
        gen.writeFieldName("integerText");
        gen.writeNumber("42");
        gen.writeFieldName("hugeText");
        gen.writeNumber("12345678901234567890123");
        gen.writeFieldName("notANumber");
        gen.writeNumber("NaN");
        gen.writeFieldName("embeddedUuid");
        gen.writeEmbeddedObject(UUID.fromString("00000000-0000-0000-0000-000000000001"));
        gen.writeFieldName("embeddedBytes");
        gen.writeEmbeddedObject(new byte[] {1, 2});
        gen.writeFieldName("embeddedNull");
        gen.writeEmbeddedObject(null);
        gen.writeFieldName("embeddedNode");
        gen.writeEmbeddedObject(JsonNodeFactory.instance.textNode("node"));
        gen.writeFieldName("raw");
        gen.writeRawValue("{\"a\":1}");
        gen.writeEndObject();
      }
    }
  }

  @Test
  void unusualWritesComeOutAsThroughTheTokenBuffer() {
    assertSameTree(new UnusualWrites());
    assertSameTree(Map.of("inside", List.of(new UnusualWrites())));
  }

  @Test
  void managedFieldsAsTheFingerprintReadsThem() {
    for (var entry : Fixtures.liveStatefulSet().getMetadata().getManagedFields()) {
      assertSameTree(entry.getFieldsV1());
    }
  }

  @Test
  void aMapperThatKeepsDecimalZerosKeepsThemHereToo() {
    ObjectMapper keeping =
        JsonMapper.builder().disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();
    Map<String, Object> value = Map.of("decimal", new BigDecimal("1.10"));

    assertSameTree(keeping, value);
    assertEquals(
        "1.10", TreeGenerator.valueToTree(keeping, value).get("decimal").decimalValue().toString());
  }

  @Test
  void aMapperThatReadsNumbersOrNullsOtherwiseIsRefused() {
    for (ObjectMapper other :
        List.of(
            JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build(),
            JsonMapper.builder().enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS).build(),
            JsonMapper.builder().enable(DeserializationFeature.USE_LONG_FOR_INTS).build(),
            JsonMapper.builder().disable(JsonNodeFeature.READ_NULL_PROPERTIES).build())) {
      assertThrows(
          IllegalArgumentException.class, () -> TreeGenerator.valueToTree(other, Map.of("n", 1)));
    }
  }

  @Test
  void nullAndAFailingSerializerAsValueToTreeGivesThem() {
    assertEquals(
        Normaliser.MAPPER.valueToTree(null),
        (JsonNode) TreeGenerator.valueToTree(Normaliser.MAPPER, null));
    // No serializer for a bare Object: the mapper's own error, not a half-built tree.
    IllegalArgumentException expected =
        assertThrows(
            IllegalArgumentException.class, () -> Normaliser.MAPPER.valueToTree(new Object()));
    IllegalArgumentException actual =
        assertThrows(
            IllegalArgumentException.class,
            () -> TreeGenerator.valueToTree(Normaliser.MAPPER, new Object()));
    assertInstanceOf(JsonMappingException.class, actual.getCause());
    assertEquals(expected.getCause().getClass(), actual.getCause().getClass());
  }
}
