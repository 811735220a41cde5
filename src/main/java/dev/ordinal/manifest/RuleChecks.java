package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks shared by the rules of every kind: labels, annotations, label selectors, and small value
 * rules (not negative, a port, one of a few words). Each reports in words that say what to write
 * instead; values of the wrong type were reported by {@link FieldSchema} and are passed over.
 */
abstract class RuleChecks {

  static final List<String> PROTOCOLS = List.of("TCP", "UDP", "SCTP");
  private static final long MAX_ANNOTATION_BYTES = 256 * 1024;

  final Problems problems;

  RuleChecks(Problems problems) {
    this.problems = problems;
  }

  void labels(Node labels) {
    for (Map.Entry<String, Node> label : labels.entries()) {
      Optional<String> key = ObjectNames.checkLabelKey(label.getKey(), "label");
      key.ifPresent(problem -> problems.add(label.getValue().path(), problem));
      String value = label.getValue().text();
      if (value != null) {
        ObjectNames.checkLabelValue(value)
            .ifPresent(problem -> problems.add(label.getValue().path(), problem));
      }
    }
  }

  void annotations(Node annotations) {
    long size = 0;
    for (Map.Entry<String, Node> annotation : annotations.entries()) {
      ObjectNames.checkLabelKey(annotation.getKey().toLowerCase(Locale.ROOT), "annotation")
          .ifPresent(problem -> problems.add(annotation.getValue().path(), problem));
      Node value = annotation.getValue();
      size += annotation.getKey().length() + (value.text() == null ? 0 : utf8Length(value.text()));
    }
    if (size > MAX_ANNOTATION_BYTES) {
      problems.add(
          annotations.path(),
          "annotations add up to " + size + " bytes, over Kubernetes' limit of 262144 (256 KiB)");
    }
  }

  /**
   * Checks a label selector; returns it for matching against template labels, or null when it
   * cannot be matched (absent and not required, or invalid).
   */
  Node selector(Node selector, boolean required, String kind) {
    // The path is spelled out only when there is a type error to compare it with.
    if (problems.hasTypeErrors() && problems.touchesTypeError(selector.path())) {
      return null;
    }
    if (!selector.isSet()) {
      if (required) {
        problems.add(
            selector.path(),
            "missing required field: a " + kind + " selects its pods by labels (matchLabels)");
      }
      return null;
    }
    boolean valid = true;
    Node matchLabels = selector.get("matchLabels");
    int before = problems.size();
    labels(matchLabels);
    valid &= problems.size() == before;
    for (Node expression : selector.get("matchExpressions").items()) {
      before = problems.size();
      expression(expression);
      valid &= problems.size() == before;
    }
    if (required && matchLabels.size() + selector.get("matchExpressions").size() == 0) {
      problems.add(selector.path(), "must not be empty: an empty selector would select every pod");
      return null;
    }
    return valid ? selector : null;
  }

  private void expression(Node expression) {
    String key = expression.get("key").textOr("");
    if (key.isEmpty()) {
      problems.add(expression.get("key").path(), "missing required field");
    } else {
      ObjectNames.checkLabelKey(key, "label")
          .ifPresent(problem -> problems.add(expression.get("key").path(), problem));
    }
    Node operator = expression.get("operator");
    String op = operator.textOr("");
    int values = expression.get("values").size();
    switch (op) {
      case "In", "NotIn" -> {
        if (values == 0) {
          problems.add(expression.get("values").path(), "must list at least one value for " + op);
        }
      }
      case "Exists", "DoesNotExist" -> {
        if (values > 0) {
          problems.add(expression.get("values").path(), "must be empty for " + op);
        }
      }
      default ->
          problems.add(
              operator.path(),
              op.isEmpty()
                  ? "missing required field"
                  : "must be one of In, NotIn, Exists, DoesNotExist; got \"" + op + "\"");
    }
    for (Node value : expression.get("values").items()) {
      if (value.text() != null) {
        ObjectNames.checkLabelValue(value.text())
            .ifPresent(problem -> problems.add(value.path(), problem));
      }
    }
  }

  /** Whether {@code labels} satisfy {@code selector}, as Kubernetes' label selectors match. */
  static boolean matches(Node selector, Node labels) {
    // Looked up in the template's mapping itself rather than in a copy made for every template.
    JsonNode set = labels.value().isObject() ? labels.value() : MissingNode.getInstance();
    for (Map.Entry<String, Node> wanted : selector.get("matchLabels").entries()) {
      JsonNode label = set.get(wanted.getKey());
      if (label == null || !wanted.getValue().value().asText().equals(label.asText())) {
        return false;
      }
    }
    for (Node expression : selector.get("matchExpressions").items()) {
      String key = expression.get("key").textOr("");
      List<String> values = new ArrayList<>();
      expression.get("values").items().forEach(value -> values.add(value.value().asText()));
      JsonNode label = set.get(key);
      boolean has = label != null;
      String value = has ? label.asText() : null;
      boolean ok =
          switch (expression.get("operator").textOr("")) {
            case "In" -> has && values.contains(value);
            case "NotIn" -> !has || !values.contains(value);
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static String describeSelector(Node selector) {
    List<String> parts = new ArrayList<>();
    selector
        .get("matchLabels")
        .entries()
        .forEach(entry -> parts.add(entry.getKey() + "=" + entry.getValue().value().asText()));
    for (Node expression : selector.get("matchExpressions").items()) {
      parts.add(
          expression.get("key").textOr("")
              + " "
              + expression.get("operator").textOr("")
              + (expression.get("values").size() > 0
                  ? " " + expression.get("values").value()
                  : ""));
    }
    return String.join(", ", parts);
  }

  void nonNegative(Node value) {
    if (value.isInteger() && value.number(0) < 0) {
      problems.add(value.path(), "must not be negative, got " + value.number(0));
    }
  }

  void portNumber(Node port) {
    if (port.isInteger() && (port.number(0) < 1 || port.number(0) > 65535)) {
      problems.add(port.path(), "must be a port number between 1 and 65535, got " + port.number(0));
    } else if (!port.isSet()) {
      problems.add(port.path(), "missing required field");
    }
  }

  void portOrName(Node port) {
    if (!port.isSet()) {
      problems.add(port.path(), "missing required field: a port number or the name of a port");
    } else if (port.isInteger()) {
      portNumber(port);
    } else {
      ObjectNames.checkPortName(port.value().asText())
          .ifPresent(
              problem ->
                  problems.add(
                      port.path(),
                      port.value().asText().matches("[0-9]+")
                          ? "\""
                              + port.value().asText()
                              + "\" is a string; write the port number without quotes"
                          : problem));
    }
  }

  /**
   * An IntOrString that must be a non-negative integer or a percentage of at most 100% (and not 0
   * unless {@code allowZero}); returns its value, or -1 when invalid.
   */
  long intOrPercent(Node value, boolean allowZero) {
    long number;
    if (value.isInteger()) {
      number = value.number(0);
      if (number < 0) {
        problems.add(value.path(), "must not be negative, got " + number);
        return -1;
      }
    } else {
      String text = value.value().asText();
      if (!ObjectNames.isPercent(text)) {
        problems.add(
            value.path(), "must be a number or a percentage such as 25%, got \"" + text + "\"");
        return -1;
      }
      number = Long.parseLong(text.substring(0, text.length() - 1));
      if (number > 100) {
        problems.add(value.path(), "must not be more than 100%, got " + text);
        return -1;
      }
    }
    if (number == 0 && !allowZero) {
      problems.add(value.path(), "must not be 0");
    }
    return number;
  }

  /** A string field that, when set, must be one of {@code allowed}. */
  void oneOf(Node value, List<String> allowed) {
    String text = value.text();
    if (text == null || text.isEmpty() || allowed.contains(text)) {
      return;
    }
    problems.add(
        value.path(),
        "must be one of "
            + String.join(", ", allowed)
            + "; got \""
            + text
            + "\""
            + suggestion(text, allowed));
  }

  void subdomain(Node value, String what) {
    String text = value.textOr("");
    if (!text.isEmpty()) {
      ObjectNames.checkSubdomain(text)
          .ifPresent(
              problem -> problems.add(value.path(), problem.replace("name \"", what + " \"")));
    }
  }

  void dnsLabel(Node value, String what) {
    String text = value.textOr("");
    if (!text.isEmpty()) {
      ObjectNames.checkDnsLabel(text, what)
          .ifPresent(problem -> problems.add(value.path(), problem));
    }
  }

  /** Reports {@code value} missing when {@code parent} is set but {@code value} is empty. */
  void required(Node value, Node parent) {
    if (parent.isSet() && value.textOr("").isEmpty()) {
      problems.add(value.path(), "missing required field");
    }
  }

  static String suggestion(String text, Collection<String> candidates) {
    String closest = Suggestions.closest(text, candidates);
    return closest == null || closest.equals(text) ? "" : "; did you mean \"" + closest + "\"?";
  }

  static long utf8Length(String text) {
    long length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      length += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return length;
  }
}
