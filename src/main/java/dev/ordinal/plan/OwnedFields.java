package dev.ordinal.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.util.ArrayList;
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
  static final OwnedFields NONE = new OwnedFields(List.of());

  private static final ObjectMapper KEY_PARSER = new ObjectMapper();

  /**
   * The tries of this node, one per apply entry of the manager, read where they lie in the live
   * model. Nothing is built up front: a comparison steps into the trie only along the fields and
   * items it walks, and building a trie of our own for every live object was the largest single
   * method C2 compiled in a cold plan of 10,000 StatefulSets.
   */
  private final List<Map<String, Object>> tries;

  private OwnedFields(List<Map<String, Object>> tries) {
    this.tries = tries;
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
    List<Map<String, Object>> tries = new ArrayList<>(1);
    for (ManagedFieldsEntry entry : entries) {
      boolean mainResource = entry.getSubresource() == null || entry.getSubresource().isEmpty();
      if (manager.equals(entry.getManager())
          && "Apply".equals(entry.getOperation())
          && mainResource
          && entry.getFieldsV1() != null) {
        addIfNotEmpty(tries, entry.getFieldsV1().getAdditionalProperties());
      }
    }
    return of(tries);
  }

  private static OwnedFields of(List<Map<String, Object>> tries) {
    return tries.isEmpty() ? NONE : new OwnedFields(tries);
  }

  private static void addIfNotEmpty(List<Map<String, Object>> tries, Object trie) {
    if (trie instanceof Map<?, ?> map && !map.isEmpty()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> node = (Map<String, Object>) map;
      tries.add(node);
    }
  }

  // The same few keys (k:{"name":"db"}) recur in every object of an app; parsing JSON for each
  // was a third of what planning an object allocated. Keyed by the trie's own key, whose hash the
  // String keeps; a key that does not parse is kept too, as a missing node, so it fails once.
  // Bounded so odd inputs cannot grow it forever.
  private static final int KEY_CACHE_LIMIT = 10_000;
  private static final Map<String, JsonNode> KEY_CACHE = new ConcurrentHashMap<>();

  // The trie's key of each field name, made once: a comparison asks for the same few names in
  // every object, and a key made afresh each time had its hash computed afresh as well. The names
  // come from the models' serializers, whose strings keep their hash.
  private static final Map<String, String> FIELD_KEYS = new ConcurrentHashMap<>();

  private static String fieldKey(String name) {
    String key = FIELD_KEYS.get(name);
    if (key == null) {
      key = keyOf(name);
      if (FIELD_KEYS.size() < KEY_CACHE_LIMIT) {
        FIELD_KEYS.put(name, key);
      }
    }
    return key;
  }

  /** The JSON object of a {@code k:} trie key, or null if it is not one. */
  private static JsonNode parseKey(String trieKey) {
    JsonNode key = KEY_CACHE.get(trieKey);
    if (key == null) {
      try {
        JsonNode parsed = KEY_PARSER.readTree(trieKey.substring(2));
        key = parsed == null ? MissingNode.getInstance() : parsed;
      } catch (Exception e) {
        key = MissingNode.getInstance(); // an unreadable key only costs removal detection there
      }
      if (KEY_CACHE.size() < KEY_CACHE_LIMIT) {
        KEY_CACHE.put(trieKey, key);
      }
    }
    return key.isObject() ? key : null;
  }

  /**
   * Whether the manager owns field {@code name} of this node ({@code f:<name>}, even with nothing
   * under it).
   */
  boolean ownsField(String name) {
    if (tries.isEmpty()) {
      return false; // and no key made, nor cached, for a name nobody owns
    }
    return ownsKey(fieldKey(name));
  }

  /** As {@link #ownsField}, given the field's trie key ({@link #keyOf}). */
  boolean ownsKey(String key) {
    for (Map<String, Object> trie : tries) {
      if (trie.containsKey(key)) {
        return true;
      }
    }
    return false;
  }

  /** The trie key of field {@code name} ({@code f:<name>}), for a caller that keeps it. */
  static String keyOf(String name) {
    return "f:" + name;
  }

  /** What the manager owns under field {@code name}, merged across its apply entries. */
  OwnedFields field(String name) {
    if (tries.isEmpty()) {
      return NONE;
    }
    return fieldByKey(fieldKey(name));
  }

  /** As {@link #field}, given the field's trie key ({@link #keyOf}). */
  OwnedFields fieldByKey(String key) {
    if (tries.isEmpty()) {
      return NONE;
    }
    if (tries.size() == 1) {
      // One apply entry, as nearly always: no list to merge into.
      Object child = tries.get(0).get(key);
      return child instanceof Map<?, ?> map && !map.isEmpty()
          ? new OwnedFields(List.of(asTrie(child)))
          : NONE;
    }
    List<Map<String, Object>> children = new ArrayList<>(tries.size());
    for (Map<String, Object> trie : tries) {
      addIfNotEmpty(children, trie.get(key));
    }
    return of(children);
  }

  boolean ownsItem(JsonNode item, ListKey listKey) {
    return findItem(item, listKey) != null;
  }

  /**
   * What the manager owns inside the keyed-list {@code item} ({@code k:<json key>}). Where several
   * apply entries name the item, the first one's is taken.
   */
  OwnedFields item(JsonNode item, ListKey listKey) {
    if (!item.isObject()) {
      return NONE;
    }
    return item(listKey, ListKey.trieFields(item));
  }

  /** As {@link #item(JsonNode, ListKey)}, for an item read through {@code fields}. */
  OwnedFields item(ListKey listKey, ListKey.Fields fields) {
    Map<String, Object> found = findItem(fields, listKey);
    return found == null || found.isEmpty() ? NONE : new OwnedFields(List.of(found));
  }

  private Map<String, Object> findItem(JsonNode item, ListKey listKey) {
    return item.isObject() ? findItem(ListKey.trieFields(item), listKey) : null;
  }

  private Map<String, Object> findItem(ListKey.Fields item, ListKey listKey) {
    for (Map<String, Object> trie : tries) {
      for (Map.Entry<String, Object> entry : trie.entrySet()) {
        // "v:" (set members) and "i:" are only met inside lists compared as a whole; "." marks
        // ownership of the node itself, which the presence of this trie node already says.
        if (!entry.getKey().startsWith("k:")) {
          continue;
        }
        JsonNode key = parseKey(entry.getKey());
        if (key != null && listKey.matchesTrieKey(item, key)) {
          return entry.getValue() instanceof Map<?, ?> ? asTrie(entry.getValue()) : Map.of();
        }
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asTrie(Object value) {
    return (Map<String, Object>) value;
  }
}
