package dev.ordinal.manifest;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Kubernetes' rules for names, label keys and values and the like (k8s.io/apimachinery's
 * validation), checked before anything is sent to an API server. Each check returns why a value
 * breaks the rule, in words that say what to write instead, or empty.
 */
final class ObjectNames {

  private static final Pattern PORT_NAME = Pattern.compile("[-a-z0-9]+");
  private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  private static final Pattern PERCENT = Pattern.compile("[0-9]+%");

  private static final String SUBDOMAIN_RULE =
      "an RFC 1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a"
          + " letter or digit)";
  private static final String LABEL_RULE =
      "at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";
  private static final String LABEL_VALUE_RULE =
      "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

  private ObjectNames() {}

  /** Why {@code name} is not an RFC 1123 subdomain, or empty if it is one. */
  static Optional<String> checkSubdomain(String name) {
    if (name.length() > 253) {
      return Optional.of("must be at most 253 characters, got " + name.length());
    }
    if (!isSubdomain(name)) {
      return Optional.of("invalid name \"" + name + "\": must be " + SUBDOMAIN_RULE);
    }
    return Optional.empty();
  }

  /** Why {@code name} is not an RFC 1123 label (used for namespaces), or empty if it is one. */
  static Optional<String> checkLabel(String name) {
    if (!isDnsLabel(name)) {
      return Optional.of(
          "invalid namespace \"" + name + "\": must be an RFC 1123 label (" + LABEL_RULE + ")");
    }
    return Optional.empty();
  }

  /** Why {@code value} is not an RFC 1123 label, naming it as {@code what}, or empty. */
  static Optional<String> checkDnsLabel(String value, String what) {
    if (!isDnsLabel(value)) {
      return Optional.of(
          "invalid " + what + " \"" + value + "\": must be an RFC 1123 label (" + LABEL_RULE + ")");
    }
    return Optional.empty();
  }

  /** Why {@code name} is not an RFC 1035 label (Service names), or empty. */
  static Optional<String> checkDns1035Label(String name) {
    if (!isDnsLabel(name) || !isLowerLetter(name.charAt(0))) {
      return Optional.of(
          "invalid name \""
              + name
              + "\": must be an RFC 1035 label (at most 63 lowercase letters, digits and '-',"
              + " starting with a letter and ending with a letter or digit)");
    }
    return Optional.empty();
  }

  /**
   * Why {@code name} is not a valid path segment, or empty. RBAC objects only need this, so names
   * such as {@code system:controller:foo} stay valid.
   */
  static Optional<String> checkPathSegment(String name) {
    if (name.equals(".") || name.equals("..") || name.contains("/") || name.contains("%")) {
      return Optional.of(
          "invalid name \"" + name + "\": must not be '.' or '..' nor contain '/' or '%'");
    }
    return Optional.empty();
  }

  /** Why {@code key} is not a label or annotation key ({@code [prefix/]name}), or empty. */
  static Optional<String> checkLabelKey(String key, String what) {
    int slash = key.indexOf('/');
    boolean prefixed = slash >= 0;
    String name = key.substring(slash + 1);
    String problem = null;
    if (prefixed && name.indexOf('/') >= 0) {
      problem = "has more than one '/'";
    } else if (prefixed && !isSubdomain(key.substring(0, slash))) {
      problem = "its prefix before '/' must be " + SUBDOMAIN_RULE;
    } else if (!isLabelName(name)) {
      problem =
          "its name"
              + (prefixed ? " after '/'" : "")
              + " must be "
              + LABEL_VALUE_RULE.replace("at most 63", "1 to 63");
    }
    return problem == null
        ? Optional.empty()
        : Optional.of("invalid " + what + " key \"" + key + "\": " + problem);
  }

  /** Why {@code value} is not a label value, or empty. */
  static Optional<String> checkLabelValue(String value) {
    if (!value.isEmpty() && !isLabelName(value)) {
      return Optional.of(
          "invalid label value \"" + value + "\": use " + LABEL_VALUE_RULE + ", or nothing");
    }
    return Optional.empty();
  }

  /** Why {@code name} is not a port name (an IANA service name), or empty. */
  static Optional<String> checkPortName(String name) {
    if (name.length() > 15
        || !PORT_NAME.matcher(name).matches()
        || !hasLowercaseLetter(name)
        || name.contains("--")
        || name.startsWith("-")
        || name.endsWith("-")) {
      return Optional.of(
          "invalid port name \""
              + name
              + "\": use at most 15 lowercase letters, digits and single '-', with at least one"
              + " letter, not starting or ending with '-'");
    }
    return Optional.empty();
  }

  // A loop, not a stream: every port of every container is checked.
  private static boolean hasLowercaseLetter(String name) {
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) >= 'a' && name.charAt(i) <= 'z') {
        return true;
      }
    }
    return false;
  }

  /** Why {@code key} is not a ConfigMap or Secret key, or empty. */
  static Optional<String> checkConfigKey(String key) {
    if (key.length() > 253
        || !CONFIG_KEY.matcher(key).matches()
        || key.equals(".")
        || key.equals("..")
        || key.startsWith("..")) {
      return Optional.of(
          "invalid key \""
              + key
              + "\": use letters, digits, '-', '_' and '.' (not '.' or '..' or a leading '..'),"
              + " at most 253 characters");
    }
    return Optional.empty();
  }

  /** Why {@code name} is not an environment variable name, or empty. */
  static Optional<String> checkEnvName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c > 0x7E || c == '=') {
        return Optional.of(
            "invalid environment variable name \""
                + name
                + "\": use printable ASCII characters other than '='");
      }
    }
    return Optional.empty();
  }

  // Hand-written matchers for the rules checked on every object: labels and names are checked
  // many times per document, and a regular expression costs more than the parse around it.

  /** 1 to 63 of [a-z0-9-], starting and ending with a letter or digit. */
  static boolean isDnsLabel(String text) {
    return text.length() <= 63 && isDnsLabel(text, 0, text.length());
  }

  /** [a-z0-9-], starting and ending with a letter or digit, of any length. */
  private static boolean isDnsLabel(String text, int from, int to) {
    if (to - from < 1) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      boolean alphanumeric = isLowerLetter(c) || (c >= '0' && c <= '9');
      if (!alphanumeric && (c != '-' || i == from || i == to - 1)) {
        return false;
      }
    }
    return true;
  }

  /**
   * DNS labels joined by '.', at most 253 characters; like Kubernetes, each label may be longer
   * than DNS's 63.
   */
  static boolean isSubdomain(String text) {
    if (text.isEmpty() || text.length() > 253) {
      return false;
    }
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '.') {
        if (!isDnsLabel(text, start, i)) {
          return false;
        }
        start = i + 1;
      }
    }
    return true;
  }

  /** 1 to 63 of [A-Za-z0-9-_.], starting and ending with a letter or digit. */
  static boolean isLabelName(String text) {
    int length = text.length();
    if (length < 1 || length > 63) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      boolean alphanumeric =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alphanumeric && ((c != '-' && c != '_' && c != '.') || i == 0 || i == length - 1)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLowerLetter(char c) {
    return c >= 'a' && c <= 'z';
  }

  /** Whether {@code text} is a percentage such as {@code 25%}. */
  static boolean isPercent(String text) {
    return PERCENT.matcher(text).matches();
  }
}
