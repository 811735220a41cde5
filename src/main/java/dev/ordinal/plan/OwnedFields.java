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
  private static final Object[] NO_OTHERS = new Object[0];

  static final OwnedFields NONE = new OwnedFields(null, NO_OTHERS);

  private static final ObjectMapper KEY_PARSER = new ObjectMapper();

  /**
   * The tries of this node, one per apply entry of the manager, read where they lie in the live
   * model. Nothing is built up front: a comparison steps into the trie only along the fields and
   * items it walks, and building a trie of our own for every live object was the largest single
   * method C2 compiled in a cold plan of 10,000 StatefulSets.
   *
   * <p>The first apply entry's trie apart, and any others in an array walked by index: a cold plan
   * runs in code C2 has not compiled, which allocates every iterator and array it asks for, and an
   * iterator per field looked up was a fifth of what a cold plan of 10,000 StatefulSets allocated.
   * Null {@code first} for {@link #NONE}.
   */
  private final Map<String, Object> first;

  private final Object[] others;

  private OwnedFields(Map<String, Object> first, Object[] others) {
    this.first = first;
    this.others = others;
  }

  private OwnedFields(Map<String, Object> trie) {
    this(trie, NO_OTHERS);
  }

  private int count() {
    return first == null ? 0 : 1 + others.length;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> trie(int index) {
    return index == 0 ? first : (Map<String, Object>) others[index - 1];
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
    if (tries.isEmpty()) {
      return NONE;
    }
    return new OwnedFields(tries.get(0), tries.subList(1, tries.size()).toArray());
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
    if (first == null) {
      return false; // and no key made, nor cached, for a name nobody owns
    }
    return ownsKey(fieldKey(name));
  }

  /** As {@link #ownsField}, given the field's trie key ({@link #keyOf}). */
  boolean ownsKey(String key) {
    for (int i = 0; i < count(); i++) {
      if (trie(i).containsKey(key)) {
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
    if (first == null) {
      return NONE;
    }
    return fieldByKey(fieldKey(name));
  }

  /** As {@link #field}, given the field's trie key ({@link #keyOf}). */
  OwnedFields fieldByKey(String key) {
    if (first == null) {
      return NONE;
    }
    if (others.length == 0) {
      // One apply entry, as nearly always: no list to merge into.
      Object child = first.get(key);
      return child instanceof Map<?, ?> map && !map.isEmpty()
          ? new OwnedFields(asTrie(child))
          : NONE;
    }
    List<Map<String, Object>> children = new ArrayList<>(count());
    for (int i = 0; i < count(); i++) {
      addIfNotEmpty(children, trie(i).get(key));
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
    return found == null || found.isEmpty() ? NONE : new OwnedFields(found);
  }

  private Map<String, Object> findItem(JsonNode item, ListKey listKey) {
    return item.isObject() ? findItem(ListKey.trieFields(item), listKey) : null;
  }

  private Map<String, Object> findItem(ListKey.Fields item, ListKey listKey) {
    for (int i = 0; i < count(); i++) {
      Map<String, Object> trie = trie(i);
      // Walked with forEach (see MapWalk). "v:" (set members) and "i:" are only met inside lists
      // compared as a whole; "." marks ownership of the node itself, which the presence of this
      // trie node already says.
      Object found =
          MapWalk.firstKey(
              trie,
              (name, value) -> {
                if (!name.startsWith("k:")) {
                  return false;
                }
                JsonNode key = parseKey(name);
                return key != null && listKey.matchesTrieKey(item, key);
              });
      if (found != MapWalk.NOT_FOUND) {
        Object value = trie.get(found);
        return value instanceof Map<?, ?> ? asTrie(value) : Map.of();
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asTrie(Object value) {
    return (Map<String, Object>) value;
  }
}
