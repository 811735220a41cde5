package dev.ordinal.manifest;

import java.util.Optional;
import java.util.regex.Pattern;

/** Kubernetes' rules for object names, checked before anything is sent to an API server. */
final class ObjectNames {

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private ObjectNames() {}

  /** Why {@code name} is not an RFC 1123 subdomain, or empty if it is one. */
  static Optional<String> checkSubdomain(String name) {
    if (name.length() > 253) {
      return Optional.of("must be at most 253 characters, got " + name.length());
    }
    if (!DNS_SUBDOMAIN.matcher(name).matches()) {
      return Optional.of(
          "invalid name \""
              + name
              + "\": must be an RFC 1123 subdomain (lowercase letters, digits, '-' and '.',"
              + " starting and ending with a letter or digit)");
    }
    return Optional.empty();
  }

  /** Why {@code name} is not an RFC 1123 label (used for namespaces), or empty if it is one. */
  static Optional<String> checkLabel(String name) {
    if (name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
      return Optional.of(
          "invalid namespace \""
              + name
              + "\": must be an RFC 1123 label (at most 63 lowercase letters, digits and '-',"
              + " starting and ending with a letter or digit)");
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
}
