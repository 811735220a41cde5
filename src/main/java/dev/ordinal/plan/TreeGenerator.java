package dev.ordinal.plan;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.base.GeneratorBase;
import com.fasterxml.jackson.core.json.JsonWriteContext;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.DatatypeFeatures;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A generator that builds the tree as it is written: what {@link ObjectMapper#valueToTree} gives,
 * without its token buffer and second pass. Each plan turns a desired and a live object into trees,
 * and that round trip was about 60% of comparing them, warm; cold, the second pass is one more
 * large method for C2 to compile in the first sync.
 *
 * <p>Numbers keep the type the serializer wrote (int, long, double...), as through the token
 * buffer, so trees from either path are equal, for a mapper that reads numbers and nulls into trees
 * by Jackson's defaults (others are refused).
 */
final class TreeGenerator extends GeneratorBase {
  private final JsonNodeFactory nodes;
  private final boolean stripsDecimalZeros;
  private JsonNode root;
  private ContainerNode<?>[] open = new ContainerNode<?>[16];
  private int depth;
  private String fieldName;

  private TreeGenerator(ObjectMapper mapper) {
    super(0, mapper);
    DeserializationConfig reading = mapper.getDeserializationConfig();
    // valueToTree reads its token buffer back with these; this generator does not implement them,
    // and the plan's mapper uses none.
    if (reading.isEnabled(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        || reading.isEnabled(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
        || reading.isEnabled(DeserializationFeature.USE_LONG_FOR_INTS)
        || !reading.isEnabled(JsonNodeFeature.READ_NULL_PROPERTIES)) {
      throw new IllegalArgumentException(
          "TreeGenerator builds trees as a mapper with Jackson's default number and null reading"
              + " does; this mapper changes them");
    }
    this.nodes = mapper.getNodeFactory();
    // As the token buffer's second pass decides it (JsonNodeDeserializer._fromBigDecimal).
    DatatypeFeatures features = reading.getDatatypeFeatures();
    this.stripsDecimalZeros =
        features.isExplicitlySet(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            ? features.isEnabled(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            : nodes.willStripTrailingBigDecimalZeroes();
  }

  /**
   * {@code value} as a tree, as {@link ObjectMapper#valueToTree} would give it: a null node for
   * null, and a serializer's failure as an {@link IllegalArgumentException}.
   *
   * @throws IllegalArgumentException also if {@code mapper} reads numbers or nulls into trees other
   *     than by Jackson's defaults
   */
  @SuppressWarnings("unchecked")
  static <T extends JsonNode> T valueToTree(ObjectMapper mapper, Object value) {
    TreeGenerator generator = new TreeGenerator(mapper);
    if (value == null) {
      return (T) generator.nodes.nullNode();
    }
    try {
      mapper.writeValue(generator, value);
    } catch (IOException e) {
      // Only a serializer can fail here: the generator writes to no stream.
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return (T) generator.root;
  }

  /**
   * Property {@code property} of {@code owner} as a tree, as it appears in the tree of {@code
   * owner}: null if the owner's serializer leaves it out (null, or empty where empties are left
   * out).
   */
  static JsonNode propertyToTree(
      ObjectMapper mapper, SerializerProvider provider, BeanPropertyWriter property, Object owner) {
    TreeGenerator generator = new TreeGenerator(mapper);
    try {
      generator.writeStartObject();
      property.serializeAsField(owner, generator, provider);
      generator.writeEndObject();
    } catch (Exception e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return generator.root.get(property.getName());
  }

  private void add(JsonNode value) {
    if (depth == 0) {
      root = value;
    } else if (open[depth - 1] instanceof ObjectNode object) {
      object.set(fieldName, value);
      fieldName = null;
    } else {
      ((ArrayNode) open[depth - 1]).add(value);
    }
  }

  private void value(String typeMsg, JsonNode value) throws IOException {
    _verifyValueWrite(typeMsg);
    add(value);
  }

  private void push(ContainerNode<?> container) {
    add(container);
    if (depth == open.length) {
      open = Arrays.copyOf(open, depth * 2);
    }
    open[depth++] = container;
  }

  @Override
  public void writeStartObject() throws IOException {
    _verifyValueWrite("start an object");
    _writeContext = _writeContext.createChildObjectContext();
    push(nodes.objectNode());
  }

  @Override
  public void writeEndObject() throws IOException {
    if (!_writeContext.inObject()) {
      _reportError("Current context not Object but " + _writeContext.typeDesc());
    }
    _writeContext = _writeContext.clearAndGetParent();
    depth--;
  }

  @Override
  public void writeStartArray() throws IOException {
    _verifyValueWrite("start an array");
    _writeContext = _writeContext.createChildArrayContext();
    push(nodes.arrayNode());
  }

  @Override
  public void writeEndArray() throws IOException {
    if (!_writeContext.inArray()) {
      _reportError("Current context not Array but " + _writeContext.typeDesc());
    }
    _writeContext = _writeContext.clearAndGetParent();
    depth--;
  }

  @Override
  public void writeFieldName(String name) throws IOException {
    if (_writeContext.writeFieldName(name) == JsonWriteContext.STATUS_EXPECT_VALUE) {
      _reportError("Can not write a field name, expecting a value");
    }
    fieldName = name;
  }

  @Override
  public void writeFieldName(SerializableString name) throws IOException {
    writeFieldName(name.getValue());
  }

  @Override
  public void writeString(String text) throws IOException {
    value("write a string", text == null ? nodes.nullNode() : nodes.textNode(text));
  }

  @Override
  public void writeString(char[] text, int offset, int len) throws IOException {
    writeString(new String(text, offset, len));
  }

  @Override
  public void writeString(SerializableString text) throws IOException {
    writeString(text.getValue());
  }

  @Override
  public void writeRawUTF8String(byte[] text, int offset, int length) {
    throw new UnsupportedOperationException("raw UTF-8 has no place in a tree");
  }

  @Override
  public void writeUTF8String(byte[] text, int offset, int length) throws IOException {
    writeString(new String(text, offset, length, StandardCharsets.UTF_8));
  }

  @Override
  public void writeRaw(String text) {
    throw new UnsupportedOperationException("raw content has no place in a tree");
  }

  @Override
  public void writeRaw(String text, int offset, int len) {
    throw new UnsupportedOperationException("raw content has no place in a tree");
  }

  @Override
  public void writeRaw(char[] text, int offset, int len) {
    throw new UnsupportedOperationException("raw content has no place in a tree");
  }

  @Override
  public void writeRaw(char c) {
    throw new UnsupportedOperationException("raw content has no place in a tree");
  }

  @Override
  public void writeRawValue(String text) throws IOException {
    // As the token buffer keeps it: a value node holding the raw text.
    value("write a raw value", nodes.rawValueNode(new RawValue(text)));
  }

  @Override
  public void writeRawValue(String text, int offset, int len) throws IOException {
    writeRawValue(text.substring(offset, offset + len));
  }

  @Override
  public void writeRawValue(char[] text, int offset, int len) throws IOException {
    writeRawValue(new String(text, offset, len));
  }

  @Override
  public void writeBinary(Base64Variant variant, byte[] data, int offset, int len)
      throws IOException {
    value("write binary value", nodes.binaryNode(Arrays.copyOfRange(data, offset, offset + len)));
  }

  @Override
  public void writeNumber(int v) throws IOException {
    value("write a number", nodes.numberNode(v));
  }

  @Override
  public void writeNumber(long v) throws IOException {
    value("write a number", nodes.numberNode(v));
  }

  @Override
  public void writeNumber(BigInteger v) throws IOException {
    value("write a number", v == null ? nodes.nullNode() : nodes.numberNode(v));
  }

  @Override
  public void writeNumber(double v) throws IOException {
    value("write a number", nodes.numberNode(v));
  }

  @Override
  public void writeNumber(float v) throws IOException {
    value("write a number", nodes.numberNode(v));
  }

  @Override
  public void writeNumber(BigDecimal v) throws IOException {
    if (v == null) {
      value("write a number", nodes.nullNode());
    } else if (stripsDecimalZeros) {
      // Zero is special: some JDKs leave 0.000 as it is.
      value(
          "write a number",
          nodes.numberNode(v.signum() == 0 ? BigDecimal.ZERO : v.stripTrailingZeros()));
    } else {
      value("write a number", nodes.numberNode(v));
    }
  }

  @Override
  public void writeNumber(String encoded) throws IOException {
    if (encoded == null) {
      value("write a number", nodes.nullNode());
      return;
    }
    // The token buffer keeps such a number as floating-point text and reads it back as a double.
    double parsed;
    try {
      parsed = Double.parseDouble(encoded);
    } catch (NumberFormatException e) {
      _reportError("Not a number: " + encoded);
      return;
    }
    value("write a number", nodes.numberNode(parsed));
  }

  @Override
  public void writeEmbeddedObject(Object object) throws IOException {
    // What the token buffer's reader makes of each embedded value.
    if (object == null) {
      writeNull();
    } else if (object instanceof byte[] bytes) {
      value("write binary value", nodes.binaryNode(bytes.clone()));
    } else if (object instanceof RawValue raw) {
      value("write a raw value", nodes.rawValueNode(raw));
    } else if (object instanceof JsonNode node) {
      value("write a value", node);
    } else {
      value("write a value", nodes.pojoNode(object));
    }
  }

  @Override
  public void writeBoolean(boolean state) throws IOException {
    value("write a boolean value", nodes.booleanNode(state));
  }

  @Override
  public void writeNull() throws IOException {
    value("write a null", nodes.nullNode());
  }

  @Override
  public void flush() {}

  @Override
  protected void _releaseBuffers() {}

  @Override
  protected void _verifyValueWrite(String typeMsg) throws IOException {
    if (_writeContext.writeValue() == JsonWriteContext.STATUS_EXPECT_NAME) {
      _reportError("Can not " + typeMsg + ", expecting field name");
    }
  }
}
