package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.node.BooleanNode;

/**
 * A boolean written as a YAML 1.1 word ({@code yes}, {@code off}, {@code y}...) rather than {@code
 * true} or {@code false}. Kubernetes reads YAML as 1.1, so {@code value: yes} is a boolean there
 * and a string field rejects it; keeping the word lets a message show what was written and say to
 * quote it.
 */
final class WordBoolean extends BooleanNode {
  private static final long serialVersionUID = 1L;

  private final String word;

  WordBoolean(boolean value, String word) {
    super(value);
    this.word = word;
  }

  /** The word as written, such as {@code yes}. */
  String word() {
    return word;
  }

  @Override
  public String asText() {
    return word;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WordBoolean that
        && that.booleanValue() == booleanValue()
        && that.word.equals(word);
  }

  @Override
  public int hashCode() {
    return word.hashCode();
  }
}
