package dev.ordinal.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fields one field manager owns, parsed from {@code metadata.managedFields[].fieldsV1}
 * (structured-merge-diff's trie: {@code f:<field>}, {@code k:<json key>} for items of keyed lists,
 * {@code v:<json>} for set members, {@code .} for the node itself).
 *
 * <p>Only needed to tell "the user removed this from Git" (Ordinal owns it) from "the server or
 * another controller added it" (nobody asked Ordinal to keep it) when a live field is absent from
 * desired.
 */
final class OwnedFields {
  static final OwnedFields NONE = new OwnedFields(Map.of(), List.of());

  private static final ObjectMapper KEY_PARSER = new ObjectMapper();

  private final Map<String, OwnedFields> fields;
  private final List<KeyedItem> items;

  private record KeyedItem(JsonNode key, OwnedFields fields) {}

  private OwnedFields(Map<String, OwnedFields> fields, List<KeyedItem> items) {
    this.fields = fields;
    this.items = items;
  }

  /**
   * What {@code manager} owns in {@code live} through apply operations on the main resource (not
   * the status subresource). {@link #NONE} if it never applied.
   */
  static OwnedFields of(HasMetadata live, String manager) {
    if (live == null || live.getMetadata() == null) {
      return NONE;
    }
    List<ManagedFieldsEntry> entries = live.getMetadata().getManagedFields();
    if (entries == null) {
      return NONE;
    }
    OwnedFields owned = NONE;
    for (ManagedFieldsEntry entry : entries) {
      boolean mainResource = entry.getSubresource() == null || entry.getSubresource().isEmpty();
      if (manager.equals(entry.getManager())
          && "Apply".equals(entry.getOperation())
          && mainResource
          && entry.getFieldsV1() != null) {
        OwnedFields parsed = parse(entry.getFieldsV1().getAdditionalProperties());
        owned = owned == NONE ? parsed : merge(owned, parsed);
      }
    }
    return owned;
  }

  static OwnedFields parse(Map<String, Object> trie) {
    if (trie == null || trie.isEmpty()) {
      return NONE;
    }
    Map<String, OwnedFields> fields = new HashMap<>();
    List<KeyedItem> items = new ArrayList<>();
    for (Map.Entry<String, Object> entry : trie.entrySet()) {
      String name = entry.getKey();
      OwnedFields child = parse(asTrie(entry.getValue()));
      if (name.startsWith("f:")) {
        fields.put(name.substring(2), child);
      } else if (name.startsWith("k:")) {
        JsonNode key = parseKey(name.substring(2));
        if (key != null && key.isObject()) {
          items.add(new KeyedItem(key, child));
        }
      }
      // "v:" (set members) and "i:" are only met inside lists compared as a whole; "." marks
      // ownership of the node itself, which the presence of this trie node already says.
    }
    return new OwnedFields(Map.copyOf(fields), List.copyOf(items));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asTrie(Object value) {
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  // The same few keys (k:{"name":"db"}) recur in every object of an app; parsing JSON for each
  // was a third of what planning an object allocated. Bounded so odd inputs cannot grow it forever.
  private static final int KEY_CACHE_LIMIT = 10_000;
  private static final Map<String, JsonNode> KEY_CACHE = new ConcurrentHashMap<>();

  private static JsonNode parseKey(String json) {
    JsonNode cached = KEY_CACHE.get(json);
    if (cached != null) {
      return cached;
    }
    JsonNode parsed;
    try {
      parsed = KEY_PARSER.readTree(json);
    } catch (Exception e) {
      return null; // an unreadable key only costs us removal detection for that item
    }
    if (KEY_CACHE.size() < KEY_CACHE_LIMIT) {
      KEY_CACHE.put(json, parsed);
    }
    return parsed;
  }

  private static OwnedFields merge(OwnedFields a, OwnedFields b) {
    Map<String, OwnedFields> fields = new HashMap<>(a.fields);
    b.fields.forEach((name, child) -> fields.merge(name, child, OwnedFields::merge));
    List<KeyedItem> items = new ArrayList<>(a.items);
    items.addAll(b.items);
    return new OwnedFields(Map.copyOf(fields), List.copyOf(items));
  }

  boolean ownsField(String name) {
    return fields.containsKey(name);
  }

  OwnedFields field(String name) {
    return fields.getOrDefault(name, NONE);
  }

  boolean ownsItem(JsonNode item, ListKey listKey) {
    return findItem(item, listKey) != null;
  }

  OwnedFields item(JsonNode item, ListKey listKey) {
    OwnedFields found = findItem(item, listKey);
    return found == null ? NONE : found;
  }

  private OwnedFields findItem(JsonNode item, ListKey listKey) {
    for (KeyedItem candidate : items) {
      if (listKey.matchesTrieKey(item, candidate.key())) {
        return candidate.fields();
      }
    }
    return null;
  }
}
