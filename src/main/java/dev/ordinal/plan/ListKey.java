package dev.ordinal.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The merge key of a Kubernetes list whose items are matched by identity rather than position
 * (containers by name, volumeMounts by mountPath, ports by port and protocol, ...). Mirrors the
 * {@code patchMergeKey}/{@code listMapKeys} of the Kubernetes API types that matter to Ordinal.
 *
 * @param fields key fields; a dotted field ({@code metadata.name}) reads a nested value
 * @param defaults values the API server fills in for absent key fields (protocol → TCP), so that a
 *     desired port without protocol matches its defaulted live twin
 */
record ListKey(List<String> fields, Map<String, String> defaults) {

  private static final ListKey NAME = new ListKey(List.of("name"), Map.of());
  private static final ListKey METADATA_NAME = new ListKey(List.of("metadata.name"), Map.of());
  private static final ListKey RESOURCE_NAME = new ListKey(List.of("resourceName"), Map.of());
  private static final ListKey MOUNT_PATH = new ListKey(List.of("mountPath"), Map.of());
  private static final ListKey DEVICE_PATH = new ListKey(List.of("devicePath"), Map.of());
  private static final ListKey IP = new ListKey(List.of("ip"), Map.of());
  private static final ListKey UID = new ListKey(List.of("uid"), Map.of());
  private static final ListKey CONTAINER_PORT =
      new ListKey(List.of("containerPort", "protocol"), Map.of("protocol", "TCP"));
  private static final ListKey SERVICE_PORT =
      new ListKey(List.of("port", "protocol"), Map.of("protocol", "TCP"));
  private static final ListKey TOPOLOGY_SPREAD =
      new ListKey(List.of("topologyKey", "whenUnsatisfiable"), Map.of());

  /**
   * The key of the list held in field {@code fieldName}, or null when its items are compared by
   * position (args, command, tolerations, envFrom, ...).
   */
  static ListKey forField(String fieldName, JsonNode desired) {
    return forField(fieldName, field -> desired.size() > 0 && desired.get(0).has(field));
  }

  /** As {@link #forField(String, JsonNode)}, told which fields the first desired item sets. */
  static ListKey forField(String fieldName, Predicate<String> firstItemSets) {
    switch (fieldName) {
      case "containers":
      case "initContainers":
      case "ephemeralContainers":
      case "env":
      case "volumes":
      case "imagePullSecrets":
      case "resourceClaims":
      case "claims":
      case "schedulingGates":
        return NAME;
      case "resizePolicy":
        return RESOURCE_NAME;
      case "volumeClaimTemplates":
        return METADATA_NAME;
      case "volumeMounts":
        return MOUNT_PATH;
      case "volumeDevices":
        return DEVICE_PATH;
      case "hostAliases":
        return IP;
      case "ownerReferences":
        return UID;
      case "topologySpreadConstraints":
        return TOPOLOGY_SPREAD;
      case "ports":
        // Container ports and Service ports share the field name; the item shape tells them apart.
        if (firstItemSets.test("containerPort")) {
          return CONTAINER_PORT;
        }
        return firstItemSets.test("port") ? SERVICE_PORT : null;
      default:
        return null;
    }
  }

  /**
   * An item's fields as a key reads them: the text of a scalar, null if the field is absent or
   * null, or {@link #NOT_A_VALUE} for an object or a list. A JSON item and a typed model item each
   * have one, so both comparisons identify items alike.
   */
  interface Fields {
    String text(String field);
  }

  /** What {@link Fields#text} says of an object or a list; compared by reference. */
  static final String NOT_A_VALUE = new String("not a value");

  /** {@code name=db}, {@code containerPort=5432,protocol=TCP}; null if a key field is missing. */
  String identity(JsonNode item) {
    if (!item.isObject()) {
      return null;
    }
    return identity(field -> text(value(item, field)));
  }

  /** As {@link #identity(JsonNode)}, for an item read through {@code fields}. */
  String identity(Fields fields) {
    // By index, and one field without a builder: cold, in code C2 has not compiled, each iterator
    // and builder is an allocation, for every item of every keyed list of every object.
    if (this.fields.size() == 1) {
      String field = this.fields.get(0);
      String text = keyText(fields, field);
      return text == null ? null : label(field).concat("=").concat(text);
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < this.fields.size(); i++) {
      String field = this.fields.get(i);
      String text = keyText(fields, field);
      if (text == null) {
        return null;
      }
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(label(field)).append('=').append(text);
    }
    return out.toString();
  }

  /**
   * Whether two items have the same key: every key field's text (or its default) equal on both, as
   * their {@link #identity} would be; false where either lacks one, or holds an object or a list.
   */
  boolean sameKey(Fields one, Fields other) {
    for (int i = 0; i < fields.size(); i++) {
      String field = fields.get(i);
      String text = keyText(one, field);
      if (text == null || !text.equals(keyText(other, field))) {
        return false;
      }
    }
    return true;
  }

  /** A key field's text, else its default; null if neither, or if it is no scalar. */
  @SuppressWarnings("ReferenceEquality")
  private String keyText(Fields item, String field) {
    String text = item.text(field);
    if (text == NOT_A_VALUE) {
      return null;
    }
    return text == null ? defaults.get(field) : text;
  }

  /** Whether a managedFields {@code k:{...}} key designates {@code item}. */
  boolean matchesTrieKey(JsonNode item, JsonNode trieKey) {
    if (!item.isObject()) {
      return false;
    }
    return matchesTrieKey(trieFields(item), trieKey);
  }

  /** A JSON item's fields as a trie key reads them: an object or a list as its JSON text. */
  static Fields trieFields(JsonNode item) {
    return field -> {
      JsonNode actual = item.get(field);
      if (actual == null || actual.isNull()) {
        return null;
      }
      return actual.isValueNode() ? actual.asText() : actual.toString();
    };
  }

  /**
   * As {@link #matchesTrieKey(JsonNode, JsonNode)}, for an item read through {@code fields}, which
   * gives an object or list field as its JSON text (a trie key holds scalars only, as server-side
   * apply's list keys are scalars).
   */
  boolean matchesTrieKey(Fields fields, JsonNode trieKey) {
    for (Map.Entry<String, JsonNode> entry : trieKey.properties()) {
      String actualText = fields.text(entry.getKey());
      if (actualText == null) {
        actualText = defaults.get(entry.getKey());
      }
      JsonNode expected = entry.getValue();
      String expectedText = expected.isValueNode() ? expected.asText() : expected.toString();
      if (!expectedText.equals(actualText)) {
        return false;
      }
    }
    return true;
  }

  private static String text(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    return value.isValueNode() ? value.asText() : NOT_A_VALUE;
  }

  private static JsonNode value(JsonNode item, String field) {
    int dot = field.indexOf('.');
    if (dot < 0) {
      return item.get(field);
    }
    JsonNode parent = item.get(field.substring(0, dot));
    return parent == null ? null : value(parent, field.substring(dot + 1));
  }

  private static String label(String field) {
    int dot = field.lastIndexOf('.');
    return dot < 0 ? field : field.substring(dot + 1);
  }
}
