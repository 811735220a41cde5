package dev.ordinal.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Secrets need beyond other kinds: the server's stringData folding, and keeping their values
 * out of plans and diffs (which end up in terminals, CI logs and pull-request comments).
 */
final class Secrets {
  static final TextNode HIDDEN = TextNode.valueOf("***");
  private static final TextNode HIDDEN_BEFORE = TextNode.valueOf("*** (before)");
  private static final TextNode HIDDEN_AFTER = TextNode.valueOf("*** (after)");

  private Secrets() {}

  static boolean isSecret(ObjectKey key) {
    return key.group().isEmpty() && key.kind().equals("Secret");
  }

  /**
   * The API server writes {@code stringData} into {@code data} (base64, overriding data's entry of
   * the same key) and never returns stringData; doing the same to desired avoids a perpetual diff.
   */
  static void foldStringData(ObjectNode secret) {
    JsonNode stringData = secret.remove("stringData");
    if (!(stringData instanceof ObjectNode entries) || entries.isEmpty()) {
      return;
    }
    ObjectNode data = secret.withObjectProperty("data");
    for (Map.Entry<String, JsonNode> entry : entries.properties()) {
      byte[] bytes = entry.getValue().asText().getBytes(StandardCharsets.UTF_8);
      data.put(entry.getKey(), Base64.getEncoder().encodeToString(bytes));
    }
  }

  /** Changes with the values under {@code data} replaced by {@code ***}. */
  static List<FieldChange> hideValues(List<FieldChange> changes) {
    List<FieldChange> hidden = new ArrayList<>(changes.size());
    for (FieldChange change : changes) {
      if (change.isAtOrUnder("data")) {
        hidden.add(new FieldChange(change.path(), hide(change.before()), hide(change.after())));
      } else {
        hidden.add(change);
      }
    }
    return hidden;
  }

  private static JsonNode hide(JsonNode value) {
    if (value.isMissingNode()) {
      return value;
    }
    if (value instanceof ObjectNode map) {
      ObjectNode copy = map.deepCopy();
      for (Map.Entry<String, JsonNode> entry : copy.properties()) {
        entry.setValue(HIDDEN);
      }
      return copy;
    }
    return HIDDEN;
  }

  /**
   * Replaces the values under {@code data} in both views, in place, like kubectl diff: equal values
   * become {@code ***}, differing ones {@code *** (before)} and {@code *** (after)}, so the diff
   * still says which keys change. Either view may be null (create, prune).
   */
  static void hideValues(JsonNode liveView, JsonNode desiredView) {
    ObjectNode live = data(liveView);
    ObjectNode desired = data(desiredView);
    Set<String> differing = new HashSet<>();
    if (live != null && desired != null) {
      for (Map.Entry<String, JsonNode> entry : live.properties()) {
        JsonNode other = desired.get(entry.getKey());
        if (other != null && !other.equals(entry.getValue())) {
          differing.add(entry.getKey());
        }
      }
    }
    hide(live, differing, HIDDEN_BEFORE);
    hide(desired, differing, HIDDEN_AFTER);
  }

  private static ObjectNode data(JsonNode view) {
    JsonNode data = view == null ? null : view.get("data");
    return data instanceof ObjectNode map ? map : null;
  }

  private static void hide(ObjectNode data, Set<String> differing, TextNode differingMark) {
    if (data == null) {
      return;
    }
    for (Map.Entry<String, JsonNode> entry : data.properties()) {
      entry.setValue(differing.contains(entry.getKey()) ? differingMark : HIDDEN);
    }
  }
}
