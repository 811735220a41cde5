package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A mapping of one of Ordinal's own kinds, read strictly: unknown fields, missing required fields
 * and wrong types are reported to {@link Problems} instead of being ignored, because a typo in a
 * rollout policy must stop the commit rather than silently change how a database is rolled out.
 *
 * <p>Getters return empty (or null for required values) after reporting a problem, so parsing goes
 * on and every problem of a document is found in one pass.
 */
final class StrictMapping {

  final JsonNode node;
  final String path;
  final Problems problems;

  private StrictMapping(JsonNode node, String path, Problems problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /**
   * Views {@code node} as a mapping whose fields must be among {@code known}; empty (after
   * reporting) if it is not a mapping.
   */
  static Optional<StrictMapping> of(
      JsonNode node, String path, Problems problems, List<String> known) {
    if (!node.isObject()) {
      problems.expected(path, "a mapping", node);
      return Optional.empty();
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        // As for Kubernetes kinds: a near miss gets the field meant, anything else the list.
        String suggestion = Suggestions.closest(name, known);
        problems.add(
            Problems.child(path, name),
            "unknown field '"
                + name
                + "'"
                + (suggestion != null
                    ? "; did you mean '" + suggestion + "'?"
                    : "; known fields: " + String.join(", ", known)));
      }
    }
    return Optional.of(new StrictMapping(node, path, problems));
  }

  String pathOf(String field) {
    return Problems.child(path, field);
  }

  boolean has(String field) {
    JsonNode value = node.get(field);
    return value != null && !value.isNull();
  }

  /** The value of a field, or null if absent or null. */
  JsonNode get(String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }

  private JsonNode required(String field) {
    JsonNode value = get(field);
    if (value == null) {
      problems.add(pathOf(field), "missing required field");
    }
    return value;
  }

  Optional<StrictMapping> mapping(String field, List<String> known) {
    JsonNode value = get(field);
    return value == null ? Optional.empty() : of(value, pathOf(field), problems, known);
  }

  Optional<StrictMapping> requiredMapping(String field, List<String> known) {
    JsonNode value = required(field);
    return value == null ? Optional.empty() : of(value, pathOf(field), problems, known);
  }

  Optional<String> string(String field) {
    JsonNode value = get(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      problems.expected(pathOf(field), "a string", value);
      return Optional.empty();
    }
    return Optional.of(value.asText());
  }

  /** A string that must be present and not blank; null after reporting otherwise. */
  String requiredString(String field) {
    if (required(field) == null) {
      return null;
    }
    String value = string(field).orElse(null);
    if (value != null && value.isBlank()) {
      problems.add(pathOf(field), "must not be empty");
      return null;
    }
    return value;
  }

  /** A scalar read as text (argument and header values are often written unquoted). */
  Optional<String> scalarText(String field) {
    JsonNode value = get(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isValueNode()) {
      problems.expected(pathOf(field), "a string", value);
      return Optional.empty();
    }
    return Optional.of(value.asText());
  }

  OptionalInt integer(String field) {
    JsonNode value = get(field);
    if (value == null) {
      return OptionalInt.empty();
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      problems.expected(pathOf(field), "an integer", value);
      return OptionalInt.empty();
    }
    return OptionalInt.of(value.intValue());
  }

  /** An integer of at least {@code min}, or {@code defaultValue} when absent or invalid. */
  int integerAtLeast(String field, int min, int defaultValue) {
    OptionalInt value = integer(field);
    if (value.isEmpty()) {
      return defaultValue;
    }
    if (value.getAsInt() < min) {
      problems.add(pathOf(field), "must be at least " + min + ", got " + value.getAsInt());
      return defaultValue;
    }
    return value.getAsInt();
  }

  boolean bool(String field, boolean defaultValue) {
    JsonNode value = get(field);
    if (value == null) {
      return defaultValue;
    }
    if (!value.isBoolean()) {
      problems.expected(pathOf(field), "true or false", value);
      return defaultValue;
    }
    return value.booleanValue();
  }

  /**
   * A duration written as a whole number of seconds or as Go-style parts ({@code 30s}, {@code 5m},
   * {@code 1h30m}, {@code 500ms}).
   */
  Optional<Duration> duration(String field) {
    JsonNode value = get(field);
    if (value == null) {
      return Optional.empty();
    }
    Optional<Duration> parsed = parseDuration(value);
    if (parsed.isEmpty()) {
      problems.add(
          pathOf(field),
          "invalid duration "
              + Problems.describe(value)
              + "; use a number of seconds or a number with a unit, such as 30s, 5m or 1h");
    } else if (parsed.get().compareTo(LONGEST) > 0) {
      // Added to a start time, a duration of thousands of years overflows an Instant at run time,
      // after the commit was applied; none longer than a year means anything in a rollout.
      problems.add(
          pathOf(field), "is longer than a year (8760h), the longest duration Ordinal accepts");
      return Optional.empty();
    }
    return parsed;
  }

  /** The longest duration a field may hold. */
  static final Duration LONGEST = Duration.ofDays(365);

  /** A duration that, when present, must be longer than zero. */
  Optional<Duration> positiveDuration(String field) {
    return positiveDuration(field, "");
  }

  /** As {@link #positiveDuration(String)}, with what to do instead added to the refusal. */
  Optional<Duration> positiveDuration(String field, String instead) {
    Optional<Duration> value = duration(field);
    if (value.isPresent() && value.get().isZero()) {
      problems.add(pathOf(field), "must be longer than 0s" + instead);
      return Optional.empty();
    }
    return value;
  }

  static Optional<Duration> parseDuration(JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToLong() && value.longValue() >= 0) {
      return Optional.of(Duration.ofSeconds(value.longValue()));
    }
    if (!value.isTextual()) {
      return Optional.empty();
    }
    return Durations.parse(value.asText());
  }

  /** The items of a list field; empty when absent, or after reporting a non-list. */
  List<Item> list(String field) {
    JsonNode value = get(field);
    if (value == null) {
      return List.of();
    }
    if (!value.isArray()) {
      problems.expected(pathOf(field), "a list", value);
      return List.of();
    }
    List<Item> items = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      items.add(new Item(value.get(i), pathOf(field) + "[" + i + "]"));
    }
    return items;
  }

  /** A list that must be present and have at least one item. */
  List<Item> nonEmptyList(String field, String whatItLists) {
    if (required(field) == null) {
      return List.of();
    }
    List<Item> items = list(field);
    if (items.isEmpty() && get(field).isArray()) {
      problems.add(pathOf(field), "must list at least one " + whatItLists);
    }
    return items;
  }

  /** A mapping of strings to strings, such as labels. */
  Optional<Map<String, String>> stringMap(String field) {
    JsonNode value = get(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isObject()) {
      problems.expected(pathOf(field), "a mapping", value);
      return Optional.empty();
    }
    Map<String, String> result = new LinkedHashMap<>();
    boolean valid = true;
    for (Map.Entry<String, JsonNode> entry : value.properties()) {
      if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
        problems.expected(pathOf(field) + "." + entry.getKey(), "a string", entry.getValue());
        valid = false;
      } else {
        result.put(entry.getKey(), entry.getValue().asText());
      }
    }
    return valid ? Optional.of(result) : Optional.empty();
  }

  /** One item of a list, with its path ({@code spec.steps[2]}). */
  record Item(JsonNode node, String path) {}
}
