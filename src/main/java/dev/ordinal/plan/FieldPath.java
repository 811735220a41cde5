package dev.ordinal.plan;

/**
 * A position in an object tree, built as the comparison descends and rendered to text only when a
 * change is found there (most fields compare equal, so most paths are never rendered).
 */
final class FieldPath {
  static final FieldPath ROOT = new FieldPath(null, null, Kind.ROOT);

  private enum Kind {
    ROOT,
    FIELD,
    KEYED_ITEM,
    INDEX
  }

  private final FieldPath parent;
  private final String segment;
  private final Kind kind;

  private FieldPath(FieldPath parent, String segment, Kind kind) {
    this.parent = parent;
    this.segment = segment;
    this.kind = kind;
  }

  FieldPath field(String name) {
    return new FieldPath(this, name, Kind.FIELD);
  }

  /** An item of a keyed list: {@code containers[name=db]}. */
  FieldPath item(String identity) {
    return new FieldPath(this, identity, Kind.KEYED_ITEM);
  }

  FieldPath index(int index) {
    return new FieldPath(this, Integer.toString(index), Kind.INDEX);
  }

  FieldPath parent() {
    return parent;
  }

  /** The field name (or item identity) of the last segment; null at the root. */
  String name() {
    return segment;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    render(out);
    return out.toString();
  }

  private void render(StringBuilder out) {
    if (kind == Kind.ROOT) {
      return;
    }
    parent.render(out);
    switch (kind) {
      case FIELD:
        if (isPlainName(segment)) {
          if (out.length() > 0) {
            out.append('.');
          }
          out.append(segment);
        } else {
          // Label and annotation keys contain dots and slashes: quote them so paths stay readable.
          out.append("[\"").append(segment).append("\"]");
        }
        break;
      case KEYED_ITEM:
      case INDEX:
        out.append('[').append(segment).append(']');
        break;
      default:
        throw new IllegalStateException(kind.name());
    }
  }

  private static boolean isPlainName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }
}
