package dev.ordinal.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Objects;

/**
 * One difference between live and desired, addressed by a path such as {@code
 * spec.template.spec.containers[name=db].image}. An absent side is {@link MissingNode}, never
 * {@code null}: a field Git adds has a missing {@code before}, a field removed from Git (that
 * Ordinal owned) has a missing {@code after}.
 */
public record FieldChange(String path, JsonNode before, JsonNode after) {
  public FieldChange {
    Objects.requireNonNull(path, "path");
    before = before == null ? MissingNode.getInstance() : before;
    after = after == null ? MissingNode.getInstance() : after;
  }

  /** The field is new in Git. */
  public boolean isAddition() {
    return before.isMissingNode();
  }

  /** The field was removed from Git and will be removed from the cluster. */
  public boolean isRemoval() {
    return after.isMissingNode();
  }

  /**
   * Whether this change is at {@code prefix} or inside it: {@code spec.selector} covers {@code
   * spec.selector.matchLabels.app} and {@code spec.volumeClaimTemplates} covers {@code
   * spec.volumeClaimTemplates[name=data]}, but {@code spec.selector} does not cover {@code
   * spec.selectorX}.
   */
  public boolean isAtOrUnder(String prefix) {
    if (!path.startsWith(prefix)) {
      return false;
    }
    if (path.length() == prefix.length()) {
      return true;
    }
    char next = path.charAt(prefix.length());
    return next == '.' || next == '[';
  }

  @Override
  public String toString() {
    return path + ": " + render(before) + " -> " + render(after);
  }

  private static String render(JsonNode node) {
    return node.isMissingNode() ? "<absent>" : node.toString();
  }
}
