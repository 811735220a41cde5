package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fields and scalar types of Kubernetes' built-in kinds, taken from fabric8's model classes
 * (generated from Kubernetes' OpenAPI), and a walk that checks a document against them.
 *
 * <p>fabric8 keeps unknown fields in {@code additionalProperties} and Jackson stops at the first
 * type error, so neither says what the API server says: every unknown field (with the nearest known
 * one) and every value of the wrong type. The walk does, in one pass over the tree.
 */
final class FieldSchema {

  /** What a value must look like. */
  sealed interface Shape permits Bean, ListOf, MapOf, Scalar {}

  /**
   * A mapping with a fixed set of fields, read from its model class the first time a walk reaches
   * it: a StatefulSet's model reaches about 150 classes (every volume source, probe and affinity
   * term), a manifest uses a dozen of them, and introspecting the rest cost a one-shot command a
   * tenth of a second of its start.
   */
  static final class Bean implements Shape {
    final String typeName;
    private final JavaType type;
    private final DeserializationConfig config;
    // Written once, under the lock, and read without it.
    private volatile Map<String, Shape> fields;
    // Whether one of its own fields is a value whose binding the walk cannot vouch for; set with
    // fields.
    private boolean unvouched;

    private Bean(JavaType type, DeserializationConfig config) {
      this.typeName = type.getRawClass().getSimpleName();
      this.type = type;
      this.config = config;
    }

    /** Its fields by name, each with its shape. */
    Map<String, Shape> fields() {
      Map<String, Shape> known = fields;
      if (known == null) {
        synchronized (this) {
          known = fields;
          if (known == null) {
            FieldSchema builder = new FieldSchema(config);
            known = builder.fieldsOf(type);
            unvouched = builder.unvouched;
            fields = known;
          }
        }
      }
      return known;
    }

    private synchronized boolean ownFieldsUnvouched() {
      fields();
      return unvouched;
    }
  }

  record ListOf(Shape item) implements Shape {}

  record MapOf(Shape value) implements Shape {}

  enum Scalar implements Shape {
    STRING,
    INT32,
    INT64,
    BOOLEAN,
    NUMBER,
    INT_OR_STRING,
    QUANTITY,
    /** Anything goes: free-form JSON, or a type Ordinal does not look into. */
    ANY
  }

  /** Every model class's shape, created on first mention and filled on first use. */
  private static final Map<Class<?>, Bean> BEANS = new ConcurrentHashMap<>();

  /** Whether Jackson binds every checked document of a root class (see bindsWhenChecked). */
  private static final Map<Class<?>, Boolean> BINDS_WHEN_CHECKED = new ConcurrentHashMap<>();

  private final DeserializationConfig config;
  // Set when a value is reached whose binding the walk cannot vouch for (see bindsWhenChecked).
  private boolean unvouched;

  private FieldSchema(DeserializationConfig config) {
    this.config = config;
  }

  /** The shape of a model class; its fields, and theirs, are read as walks reach them. */
  static Bean of(Class<?> type, ObjectMapper mapper) {
    Bean known = BEANS.get(type);
    if (known != null) {
      return known;
    }
    return (Bean)
        new FieldSchema(mapper.getDeserializationConfig()).shape(mapper.constructType(type));
  }

  /**
   * Whether Jackson binds every document of {@code type} that {@link #check} finds no problem in:
   * true when every field the walk reaches is a scalar it tests as Jackson reads it, or free-form
   * JSON. False when some field is an enum (Jackson refuses a value it does not name), has its own
   * deserializer, or is a type the walk does not look into: there only binding tells. Answering
   * reads every class the type reaches, once.
   */
  static boolean bindsWhenChecked(Class<?> type, ObjectMapper mapper) {
    return BINDS_WHEN_CHECKED.computeIfAbsent(
        type, root -> everyFieldVouched(of(root, mapper), new HashSet<>()));
  }

  private static boolean everyFieldVouched(Shape shape, Set<Bean> visited) {
    if (shape instanceof ListOf list) {
      return everyFieldVouched(list.item(), visited);
    }
    if (shape instanceof MapOf map) {
      return everyFieldVouched(map.value(), visited);
    }
    if (!(shape instanceof Bean bean) || !visited.add(bean)) {
      return true; // a scalar, or a cycle: a bean whose fields are being looked at already
    }
    if (bean.ownFieldsUnvouched()) {
      return false;
    }
    for (Shape field : bean.fields().values()) {
      if (!everyFieldVouched(field, visited)) {
        return false;
      }
    }
    return true;
  }

  private Shape shape(JavaType type) {
    Class<?> raw = type.getRawClass();
    if (raw == String.class) {
      return Scalar.STRING;
    }
    if (raw.isEnum()) {
      unvouched = true;
      return Scalar.STRING;
    }
    if (raw == Integer.class || raw == int.class || raw == Short.class || raw == short.class) {
      return Scalar.INT32;
    }
    if (raw == Long.class || raw == long.class) {
      return Scalar.INT64;
    }
    if (raw == Boolean.class || raw == boolean.class) {
      return Scalar.BOOLEAN;
    }
    if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class) {
      return Scalar.NUMBER;
    }
    if (raw == IntOrString.class) {
      return Scalar.INT_OR_STRING;
    }
    if (raw == Quantity.class) {
      return Scalar.QUANTITY;
    }
    if (type.isMapLikeType()) {
      return new MapOf(shape(type.getContentType()));
    }
    if (type.isCollectionLikeType() || (type.isArrayType() && raw != byte[].class)) {
      return new ListOf(shape(type.getContentType()));
    }
    if (raw == Object.class
        || raw.isInterface()
        || Modifier.isAbstract(raw.getModifiers())
        || raw.isPrimitive()
        || JsonNode.class.isAssignableFrom(raw)
        || !raw.getName().startsWith("io.fabric8.")
        || customDeserializer(raw.getAnnotation(JsonDeserialize.class))) {
      // Object and JsonNode take any JSON; anything else may refuse what the walk let through.
      unvouched |= raw != Object.class && !JsonNode.class.isAssignableFrom(raw);
      return Scalar.ANY;
    }
    return BEANS.computeIfAbsent(raw, unused -> new Bean(type, config));
  }

  /** The fields of a model class, each with its shape; sets unvouched as shape does. */
  private Map<String, Shape> fieldsOf(JavaType type) {
    Map<String, Shape> fields = new HashMap<>();
    BeanDescription description = config.introspect(type);
    for (BeanPropertyDefinition property : description.findProperties()) {
      AnnotatedMember mutator = property.getNonConstructorMutator();
      if (mutator == null) {
        continue;
      }
      JsonDeserialize custom = mutator.getAnnotation(JsonDeserialize.class);
      boolean own = customDeserializer(custom);
      unvouched |= own;
      fields.put(property.getName(), own ? Scalar.ANY : shape(property.getPrimaryType()));
    }
    // A HashMap, as before this was lazy: the nearest-field suggestion breaks ties in its order.
    return Collections.unmodifiableMap(fields);
  }

  private static boolean customDeserializer(JsonDeserialize annotation) {
    return annotation != null && annotation.using() != JsonDeserializer.None.class;
  }

  /**
   * Checks {@code node} against {@code shape}, reporting each unknown field and each value of the
   * wrong type (as {@linkplain Problems#typeError type errors}).
   *
   * @param kind the document's kind, to point at {@code kubectl explain}
   */
  static void check(JsonNode node, Bean shape, String kind, Problems problems) {
    new Walk(kind, kind.equals("Secret"), problems).visit(node, shape);
  }

  /** A key of a map (labels, resources), kept apart from field names for kubectl explain. */
  private record MapKey(String name) {}

  /** One walk over a document; the path is kept as segments and only joined for a problem. */
  private static final class Walk {
    // The kind, lowercased only for a message that needs it: most documents have none.
    private final String kind;
    private final boolean secret;
    private final Problems problems;
    // The segments down to the value being visited: field names, list indices and map keys.
    private Object[] path = new Object[16];
    private int depth;

    Walk(String kind, boolean secret, Problems problems) {
      this.kind = kind;
      this.secret = secret;
      this.problems = problems;
    }

    /** A Secret's values are described by their shape only: errors reach /status, logs, Events. */
    private boolean hidesValue() {
      return secret && depth > 0 && (path[0].equals("data") || path[0].equals("stringData"));
    }

    void visit(JsonNode node, Shape shape) {
      // Type tests rather than JsonNode's isObject() and the like: those are calls that every
      // node class answers, made for every value of every document.
      if (shape instanceof Bean bean) {
        if (node instanceof ObjectNode mapping) {
          visitBean(mapping, bean);
        } else if (!node.isNull()) { // Go decodes null as "not set".
          wrongType("a mapping", node);
        }
      } else if (shape instanceof ListOf list) {
        if (node instanceof ArrayNode items) {
          for (int i = 0; i < items.size(); i++) {
            push(i);
            visit(items.get(i), list.item());
            depth--;
          }
        } else if (!node.isNull()) {
          wrongType("a list", node);
        }
      } else if (shape instanceof MapOf map) {
        if (node instanceof ObjectNode mapping) {
          for (Map.Entry<String, JsonNode> entry : mapping.properties()) {
            push(new MapKey(entry.getKey()));
            visit(entry.getValue(), map.value());
            depth--;
          }
        } else if (!node.isNull()) {
          wrongType("a mapping", node);
        }
      } else if (shape instanceof Scalar scalar && !node.isNull()) {
        visitScalar(node, scalar);
      }
    }

    private void push(Object segment) {
      if (depth == path.length) {
        path = Arrays.copyOf(path, depth * 2);
      }
      path[depth++] = segment;
    }

    private void visitBean(ObjectNode node, Bean bean) {
      for (Map.Entry<String, JsonNode> entry : node.properties()) {
        String name = entry.getKey();
        Shape field = bean.fields().get(name);
        push(name);
        if (field == null) {
          unknownField(name, bean);
        } else {
          visit(entry.getValue(), field);
        }
        depth--;
      }
    }

    private void visitScalar(JsonNode node, Scalar scalar) {
      switch (scalar) {
        case STRING -> {
          if (!node.isTextual()) {
            wrongType("a string", node);
          }
        }
        case INT32 -> {
          if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            wrongType(node.isIntegralNumber() ? "a 32-bit integer" : "an integer", node);
          }
        }
        case INT64 -> {
          if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            wrongType(node.isIntegralNumber() ? "a 64-bit integer" : "an integer", node);
          }
        }
        case BOOLEAN -> {
          if (!node.isBoolean()) {
            wrongType("true or false", node);
          }
        }
        case NUMBER -> {
          if (!node.isNumber()) {
            wrongType("a number", node);
          }
        }
        case INT_OR_STRING -> {
          if (!node.isTextual() && !(node.isIntegralNumber() && node.canConvertToInt())) {
            wrongType("an integer or a string", node);
          }
        }
        case QUANTITY -> {
          if (!node.isTextual() && !node.isNumber()) {
            wrongType("a quantity (such as 500m, 2 or 1Gi)", node);
          } else {
            String problem = Quantities.problem(node.asText());
            if (problem != null) {
              problems.typeError(joined(), problem);
            }
          }
        }
        case ANY -> {}
      }
    }

    private void wrongType(String expected, JsonNode got) {
      String message =
          "expected "
              + expected
              + ", got "
              + (hidesValue() && got.isValueNode()
                  ? Problems.shapeOf(got) + " (value not shown)"
                  : Problems.describe(got));
      if (got instanceof WordBoolean && expected.equals("a string") && hidesValue()) {
        message +=
            "; an unquoted yes, no, on or off is a boolean in YAML 1.1, which Kubernetes reads:"
                + " quote the value";
      }
      if (got instanceof WordBoolean word && expected.equals("a string") && !hidesValue()) {
        message +=
            " (an unquoted "
                + word.word()
                + " is a boolean in YAML 1.1, which Kubernetes reads); quote it: \""
                + word.word()
                + "\"";
      }
      problems.typeError(joined(), message);
    }

    private void unknownField(String name, Bean bean) {
      StringBuilder message = new StringBuilder("unknown field '").append(name).append('\'');
      String odd = Suggestions.nonAscii(name);
      if (odd != null) {
        message.append(" (it contains ").append(odd).append(", which is not a Latin letter)");
      }
      String suggestion = Suggestions.closest(name, bean.fields().keySet());
      if (suggestion != null) {
        message.append("; did you mean '").append(suggestion).append("'?");
      } else if (bean.fields().size() <= 12) {
        message
            .append("; known fields: ")
            .append(String.join(", ", sorted(bean.fields().keySet())));
      } else {
        message.append("; see kubectl explain ").append(explainPath());
      }
      problems.add(joined(), message.toString());
    }

    private static List<String> sorted(Collection<String> names) {
      List<String> list = new ArrayList<>(names);
      list.sort(null);
      return list;
    }

    /** The parent's path as kubectl explain takes it: field names only, no indices or keys. */
    private String explainPath() {
      StringBuilder out = new StringBuilder(kind.toLowerCase(Locale.ROOT));
      for (int i = 0; i < depth - 1; i++) {
        if (path[i] instanceof String field) {
          out.append('.').append(field);
        }
      }
      return out.toString();
    }

    private String joined() {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < depth; i++) {
        Object segment = path[i];
        if (segment instanceof Integer index) {
          out.append('[').append(index).append(']');
        } else {
          if (out.length() > 0) {
            out.append('.');
          }
          out.append(segment instanceof MapKey key ? key.name() : segment);
        }
      }
      return out.toString();
    }
  }
}
