package dev.ordinal.analysis.condition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A value inside an expression, with expr-lang's types: nil, bool, int, float, string, array and
 * map; time and duration exist only in {@code rangeQuery} times. Ints and floats stay apart as in
 * expr ({@code 7 / 2} is a float, {@code 7 % 2} needs ints) and compare by value.
 */
sealed interface Value {

  /** expr's name of the type, used in error messages. */
  String type();

  Value NIL = new Nil();
  Value TRUE = new Bool(true);
  Value FALSE = new Bool(false);

  record Nil() implements Value {
    @Override
    public String type() {
      return "nil";
    }

    @Override
    public String toString() {
      return "nil";
    }
  }

  record Bool(boolean value) implements Value {
    @Override
    public String type() {
      return "bool";
    }

    @Override
    public String toString() {
      return String.valueOf(value);
    }
  }

  record Int(long value) implements Value {
    @Override
    public String type() {
      return "int";
    }

    @Override
    public String toString() {
      return String.valueOf(value);
    }
  }

  record Float(double value) implements Value {
    @Override
    public String type() {
      return "float";
    }

    @Override
    public String toString() {
      return format(value);
    }
  }

  record Str(String value) implements Value {
    @Override
    public String type() {
      return "string";
    }

    @Override
    public String toString() {
      return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }

  record Array(List<Value> items) implements Value {
    public Array {
      items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    @Override
    public String type() {
      return "array";
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder("[");
      for (int i = 0; i < items.size(); i++) {
        text.append(i == 0 ? "" : ", ").append(items.get(i));
      }
      return text.append(']').toString();
    }
  }

  /** A map with string keys, in insertion order. */
  record MapValue(Map<String, Value> entries) implements Value {
    public MapValue {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    @Override
    public String type() {
      return "map";
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<String, Value> entry : entries.entrySet()) {
        text.append(first ? "" : ", ").append(entry.getKey()).append(": ").append(entry.getValue());
        first = false;
      }
      return text.append('}').toString();
    }
  }

  record Time(Instant value) implements Value {
    @Override
    public String type() {
      return "time";
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }

  record Span(Duration value) implements Value {
    @Override
    public String type() {
      return "duration";
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }

  static Value of(boolean value) {
    return value ? TRUE : FALSE;
  }

  /**
   * Converts plain Java data (null, Boolean, Integer/Long, Double, String, List, Map with string
   * keys) into a value, as a provider's decoded JSON would arrive.
   */
  static Value of(Object data) {
    if (data == null) {
      return NIL;
    }
    if (data instanceof Value value) {
      return value;
    }
    if (data instanceof Boolean bool) {
      return of(bool.booleanValue());
    }
    if (data instanceof Integer || data instanceof Long || data instanceof Short) {
      return new Int(((Number) data).longValue());
    }
    if (data instanceof Number number) {
      return new Float(number.doubleValue());
    }
    if (data instanceof String text) {
      return new Str(text);
    }
    if (data instanceof List<?> list) {
      List<Value> items = new ArrayList<>(list.size());
      list.forEach(item -> items.add(of(item)));
      return new Array(items);
    }
    if (data instanceof Map<?, ?> map) {
      Map<String, Value> entries = new LinkedHashMap<>();
      map.forEach((key, item) -> entries.put(String.valueOf(key), of(item)));
      return new MapValue(entries);
    }
    throw new IllegalArgumentException("no expression value for " + data.getClass().getName());
  }

  /** Numbers as people read them: 0.05, 3, NaN, +Inf. */
  static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.valueOf((long) value);
    }
    return String.format(Locale.ROOT, "%.6g", value).replaceAll("\\.?0+($|e)", "$1");
  }
}
