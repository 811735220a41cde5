package dev.ordinal.plan;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.ser.AnyGetterWriter;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializer;
import com.fasterxml.jackson.databind.ser.PropertyWriter;
import dev.ordinal.rollout.Annotations;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares a desired and a live model as {@link SubsetComparison} compares their trees, reading the
 * models' fields where they settle the question and building trees only of the fields they do not:
 * a field equal on both models, a list of items equal in the same order, a map whose entries Git
 * sets are all equal with no owned entry left over, is no change, whatever the trees would hold.
 * Any other field is made into the two trees Jackson would make of it, and {@link
 * SubsetComparison#field} decides it, so the changes are the tree path's, in its order.
 *
 * <p>Why: a cold plan of 10,000 StatefulSets spent most of its time building the two trees of each
 * object and walking them, and most objects of a sync are unchanged, or changed in one field.
 *
 * <p>Returns null where it cannot follow the trees exactly (a Secret, whose string data the tree
 * path folds; a generic resource; fields the models do not know; a model without metadata), and the
 * caller compares trees.
 */
final class TypedComparison {
  /** Where a StatefulSet keeps its partition, which under a rollout policy is not compared. */
  static final List<String> PARTITION_PATH =
      List.of("spec", "updateStrategy", "rollingUpdate", "partition");

  // Metadata entries the trees set or strip themselves, made once rather than for every object.
  private static final Set<String> INVENTORY_LABEL = Set.of(PlanOptions.APP_LABEL);
  private static final Set<String> SERVER_SIDE_ANNOTATIONS = Set.of(Normaliser.LAST_APPLIED);
  private static final Set<String> ROLLOUT_SIDE_ANNOTATIONS =
      Set.of(Normaliser.LAST_APPLIED, Annotations.TEMPLATE_COMMIT, Annotations.SYNC_HOLD);

  /** How the plan's mapper writes a model class: its properties, in order. */
  private record Shape(List<Prop> properties, Map<String, Prop> byName, Field extras) {}

  /** One property: its writer, JSON name, and key in a managedFields trie, made once. */
  private record Prop(BeanPropertyWriter writer, String name, String key) {}

  // Null for a class its serializer does not write as a plain bean (IntOrString, Quantity...).
  private static final ClassValue<Shape> SHAPES =
      new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
          return shapeOf(type);
        }
      };

  /** A field this walk cannot follow exactly: the caller compares trees instead. */
  private static final class Unsure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsure() {
      super(null, null, false, false);
    }
  }

  private final SubsetComparison comparison = SubsetComparison.fieldByField();
  private final boolean ignorePartition;
  private SerializerProvider provider;

  private TypedComparison(boolean ignorePartition) {
    this.ignorePartition = ignorePartition;
  }

  /**
   * The changes between {@code desired} and {@code live}, as {@link SubsetComparison} finds them
   * between their normalised trees; null if this object needs the trees.
   */
  static List<FieldChange> changes(
      ObjectKey key,
      HasMetadata desired,
      HasMetadata live,
      PlanOptions options,
      boolean ignorePartition,
      OwnedFields owned) {
    if (desired.getClass() != live.getClass()
        || Secrets.isSecret(key)
        || desired.getMetadata() == null
        || live.getMetadata() == null) {
      return null;
    }
    Shape shape = SHAPES.get(desired.getClass());
    if (shape == null || hasExtras(shape, desired) || hasExtras(shape, live)) {
      return null;
    }
    TypedComparison walk = new TypedComparison(ignorePartition);
    try {
      walk.root(shape, key, desired, live, options, owned);
    } catch (Unsure unsure) {
      return null;
    }
    return walk.comparison.changesFound();
  }

  private void root(
      Shape shape,
      ObjectKey key,
      HasMetadata desired,
      HasMetadata live,
      PlanOptions options,
      OwnedFields owned) {
    List<Removal> removals = null;
    List<String> held = ignorePartition ? PARTITION_PATH : null;
    for (Prop property : shape.properties()) {
      String name = property.name();
      switch (name) {
        case "status" -> {
          // not compared: the server's
        }
        case "apiVersion", "kind" -> {
          // Identity already matched group and kind. A live one Git lacks is the trees' business.
          if (get(property.writer(), desired) == null && get(property.writer(), live) != null) {
            throw new Unsure();
          }
        }
        case "metadata" -> {
          int mark = comparison.mark();
          if (!metadataSettled(key, options, desired.getMetadata(), live.getMetadata(), owned)) {
            // Normalised as a tree (namespace, inventory label, server bookkeeping), in its order.
            comparison.resetTo(mark);
            JsonNode want =
                Normaliser.desiredMetadata(desired.getMetadata(), key, options, ignorePartition);
            JsonNode have = Normaliser.liveMetadata(live.getMetadata(), ignorePartition);
            comparison.field(FieldPath.ROOT, name, want, have, owned);
          }
        }
        default ->
            removals =
                collect(
                    removals, property(FieldPath.ROOT, property, desired, live, owned, held, 0));
      }
    }
    report(removals);
  }

  private static List<Removal> collect(List<Removal> removals, Removal removal) {
    if (removal == null) {
      return removals;
    }
    List<Removal> all = removals == null ? new ArrayList<>(2) : removals;
    all.add(removal);
    return all;
  }

  private void report(List<Removal> removals) {
    if (removals != null) {
      for (Removal removal : removals) {
        comparison.removed(removal.path(), removal.name(), removal.have());
      }
    }
  }

  /**
   * Whether the metadata, as {@link Normaliser} would make its trees, has no change: true only if
   * it surely has none. Anything else (a change, or a doubt) goes to the trees, which report
   * changes in their order.
   */
  private boolean metadataSettled(
      ObjectKey key, PlanOptions options, ObjectMeta desired, ObjectMeta live, OwnedFields owned) {
    Shape shape = SHAPES.get(desired.getClass());
    if (shape == null
        || desired.getClass() != live.getClass()
        || hasExtras(shape, desired)
        || hasExtras(shape, live)) {
      return false;
    }
    int mark = comparison.mark();
    OwnedFields under = owned.field("metadata");
    FieldPath path = FieldPath.ROOT.field("metadata");
    for (Prop property : shape.properties()) {
      String name = property.name();
      if (Normaliser.SERVER_METADATA.contains(name)) {
        continue;
      }
      boolean settled =
          switch (name) {
            case "namespace" -> {
              String want = key.isClusterScoped() ? null : key.namespace();
              yield want == null
                  ? live.getNamespace() == null || !under.ownsField(name)
                  : want.equals(live.getNamespace());
            }
            case "labels" ->
                entriesSettled(
                        desired.getLabels(), live.getLabels(), INVENTORY_LABEL, under.field(name))
                    && options
                        .appName()
                        .equals(mapOrEmpty(live.getLabels()).get(PlanOptions.APP_LABEL));
            case "annotations" -> {
              Set<String> ignored =
                  ignorePartition ? ROLLOUT_SIDE_ANNOTATIONS : SERVER_SIDE_ANNOTATIONS;
              // Git without annotations leaves the field out: a live one Ordinal owned goes.
              boolean absent = mapOrEmpty(desired.getAnnotations()).isEmpty();
              yield entriesSettled(
                      desired.getAnnotations(), live.getAnnotations(), ignored, under.field(name))
                  && !(absent
                      && !mapOrEmpty(live.getAnnotations()).isEmpty()
                      && under.ownsField(name));
            }
            default -> property(path, property, desired, live, under, null, 0) == null;
          };
      if (!settled) {
        return false;
      }
    }
    return comparison.mark() == mark;
  }

  /**
   * Whether a string map has no change: every entry Git sets (but those in {@code ignored}) is
   * equal live, and no live entry Git lacks (but those) is owned.
   */
  private static boolean entriesSettled(
      Map<String, String> want, Map<String, String> have, Set<String> ignored, OwnedFields owned) {
    Map<String, String> wanted = mapOrEmpty(want);
    Map<String, String> held = mapOrEmpty(have);
    for (Map.Entry<String, String> entry : wanted.entrySet()) {
      if (entry.getValue() != null
          && !ignored.contains(entry.getKey())
          && !entry.getValue().equals(held.get(entry.getKey()))) {
        return false;
      }
    }
    for (String name : held.keySet()) {
      if (!ignored.contains(name) && wanted.get(name) == null && owned.ownsField(name)) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, String> mapOrEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }

  /** A field Ordinal owned that Git no longer sets: reported after the fields Git sets. */
  private record Removal(FieldPath path, String name, JsonNode have) {}

  /**
   * Compares one property of the objects at {@code path}, and returns the removal it finds (a field
   * Ordinal owned that Git no longer sets), which the caller reports after the fields Git sets.
   * {@code held}, when not null, is the partition's path, of which {@code depth} names lead here.
   */
  private Removal property(
      FieldPath path,
      Prop property,
      Object desired,
      Object live,
      OwnedFields owned,
      List<String> held,
      int depth) {
    String name = property.name();
    String key = property.key();
    List<String> heldBelow = null;
    if (held != null && held.get(depth).equals(name)) {
      if (depth == held.size() - 1) {
        return null; // the partition itself
      }
      heldBelow = held;
    }
    Object want = get(property.writer(), desired);
    if (want == null) {
      // Most fields of a model are unset in Git; the live value matters only if Ordinal owned it.
      if (owned.ownsKey(key) && get(property.writer(), live) != null) {
        JsonNode haveNode = node(property.writer(), live, heldBelow, depth + 1, false);
        if (haveNode != null) {
          return new Removal(path, name, haveNode);
        }
      }
      return null;
    }
    Object have = get(property.writer(), live);
    int mark = comparison.mark();
    if (settled(path, name, key, want, have, owned, heldBelow, depth + 1)) {
      return null;
    }
    comparison.resetTo(mark);
    JsonNode wantNode = node(property.writer(), desired, heldBelow, depth + 1, true);
    JsonNode haveNode = node(property.writer(), live, heldBelow, depth + 1, false);
    if (wantNode == null) {
      return haveNode != null && owned.ownsKey(key) ? new Removal(path, name, haveNode) : null;
    }
    comparison.field(path, name, wantNode, haveNode, owned);
    return null;
  }

  /**
   * Whether the models settle field {@code name} (set in Git to {@code want}): true once its
   * changes, if any, are recorded exactly; false if the trees must decide it (the caller then drops
   * what this recorded).
   */
  private boolean settled(
      FieldPath path,
      String name,
      String key,
      Object want,
      Object have,
      OwnedFields owned,
      List<String> held,
      int depth) {
    if (isScalar(want)) {
      return want.equals(have);
    }
    if (want instanceof List<?> wantList) {
      if (have != null && !(have instanceof List<?>)) {
        return false;
      }
      return list(path.field(name), name, key, wantList, (List<?>) have, owned);
    }
    if (want instanceof Map<?, ?> wantMap) {
      if (have != null && !(have instanceof Map<?, ?>)) {
        return false;
      }
      return map(key, wantMap, (Map<?, ?>) have, owned);
    }
    if (have == null || have.getClass() != want.getClass()) {
      return false;
    }
    Shape shape = SHAPES.get(want.getClass());
    if (shape == null) {
      // Written by a serializer of its own (IntOrString, Quantity): equal as written, or decided by
      // the trees.
      return sameAsWritten(want, have);
    }
    return object(path.field(name), shape, want, have, owned.fieldByKey(key), held, depth);
  }

  private boolean object(
      FieldPath path,
      Shape shape,
      Object desired,
      Object live,
      OwnedFields owned,
      List<String> held,
      int depth) {
    if (hasExtras(shape, desired) || hasExtras(shape, live)) {
      return false;
    }
    List<Removal> removals = null;
    for (Prop property : shape.properties()) {
      removals = collect(removals, property(path, property, desired, live, owned, held, depth));
    }
    report(removals);
    return true;
  }

  /**
   * A list Git sets: settled when it is empty on both sides and not owned, or when both hold the
   * same items in the same order (by key, for keyed lists), each settled in turn.
   */
  private boolean list(
      FieldPath path, String name, String trieKey, List<?> want, List<?> have, OwnedFields owned) {
    if (want.isEmpty()) {
      return (have == null || have.isEmpty()) && !owned.ownsKey(trieKey);
    }
    if (have == null || have.size() != want.size()) {
      return false;
    }
    boolean scalars = true;
    for (Object item : want) {
      if (item == null || item instanceof List<?> || item instanceof Map<?, ?>) {
        return false;
      }
      scalars &= isScalar(item);
    }
    if (scalars) {
      return want.equals(have);
    }
    ListKey key = ListKey.forField(name, field -> valueAt(want.get(0), field) != null);
    if (key == null) {
      for (int i = 0; i < want.size(); i++) {
        if (!item(path.index(i), want.get(i), have.get(i), OwnedFields.NONE)) {
          return false;
        }
      }
      return true;
    }
    OwnedFields under = owned.fieldByKey(trieKey);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < want.size(); i++) {
      Object wanted = want.get(i);
      Object held = have.get(i);
      if (held == null || held.getClass() != wanted.getClass()) {
        return false;
      }
      Shape shape = SHAPES.get(held.getClass());
      if (shape == null || hasExtras(shape, held)) {
        return false;
      }
      String identity = key.identity(field -> text(wanted, field));
      if (identity == null
          || !identity.equals(key.identity(field -> text(held, field)))
          || !seen.add(identity)) {
        return false;
      }
      OwnedFields itemOwned = under.item(key, field -> trieText(held, field));
      if (!item(path.item(identity), wanted, held, itemOwned)) {
        return false;
      }
    }
    return true;
  }

  private boolean item(FieldPath path, Object want, Object have, OwnedFields owned) {
    if (isScalar(want) || have == null || have.getClass() != want.getClass()) {
      return false;
    }
    Shape shape = SHAPES.get(want.getClass());
    if (shape == null) {
      return sameAsWritten(want, have);
    }
    return object(path, shape, want, have, owned, null, 0);
  }

  /**
   * A map Git sets (labels, selectors, resource quantities): settled when every entry Git sets is
   * equal live and no live entry Git lacks is owned.
   */
  private boolean map(String key, Map<?, ?> want, Map<?, ?> have, OwnedFields owned) {
    boolean wantsAny = false;
    for (Object value : want.values()) {
      wantsAny |= value != null;
    }
    if (!wantsAny) {
      return (have == null || have.isEmpty()) && !owned.ownsKey(key);
    }
    if (have == null) {
      return false;
    }
    OwnedFields under = owned.fieldByKey(key);
    for (Map.Entry<?, ?> entry : want.entrySet()) {
      Object value = entry.getValue();
      if (!(entry.getKey() instanceof String)) {
        return false;
      }
      if (value == null) {
        continue;
      }
      Object other = have.get(entry.getKey());
      if (other == null) {
        return false;
      }
      boolean equal;
      if (isScalar(value)) {
        equal = value.equals(other);
      } else if (other.getClass() == value.getClass()
          && !(value instanceof List<?>)
          && !(value instanceof Map<?, ?>)
          && SHAPES.get(value.getClass()) == null) {
        equal = sameAsWritten(value, other);
      } else {
        equal = false;
      }
      if (!equal) {
        return false;
      }
    }
    for (Object liveKey : have.keySet()) {
      if (!(liveKey instanceof String text) || (want.get(text) == null && under.ownsField(text))) {
        return false;
      }
    }
    return true;
  }

  /** A key field's text as {@link ListKey#identity} reads it, from a model item. */
  private static String text(Object item, String field) {
    Object value = valueAt(item, field);
    if (value == null) {
      return null;
    }
    return isScalar(value) ? value.toString() : ListKey.NOT_A_VALUE;
  }

  /** A key field's text as a trie key reads it; a field that is no scalar needs the trees. */
  private static String trieText(Object item, String field) {
    // A trie key names the item's own fields: a dotted name is no field of it, as in the JSON view.
    Shape shape = SHAPES.get(item.getClass());
    if (shape == null) {
      throw new Unsure();
    }
    Prop property = shape.byName().get(field);
    Object value = property == null ? null : get(property.writer(), item);
    if (value == null) {
      return null;
    }
    if (!isScalar(value)) {
      throw new Unsure();
    }
    return value.toString();
  }

  /** The value at a field name, or a dotted path of them ({@code metadata.name}). */
  private static Object valueAt(Object item, String field) {
    Object at = item;
    int start = 0;
    while (at != null) {
      Shape shape = SHAPES.get(at.getClass());
      if (shape == null) {
        throw new Unsure();
      }
      int dot = field.indexOf('.', start);
      String name =
          dot < 0 ? (start == 0 ? field : field.substring(start)) : field.substring(start, dot);
      Prop property = shape.byName().get(name);
      if (property == null) {
        // Not a field of the model: the tree has it only among fields the model does not know,
        // and an object with those is left to the trees.
        if (hasExtras(shape, at)) {
          throw new Unsure();
        }
        return null;
      }
      at = get(property.writer(), at);
      if (dot < 0) {
        return at;
      }
      start = dot + 1;
    }
    return null;
  }

  // The values Jackson writes as the JSON scalars a tree compares by equals: an equal pair is equal
  // nodes. Other numbers (3 against 3L) go to the trees, which compare them by value.
  private static boolean isScalar(Object value) {
    return value instanceof String
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Boolean;
  }

  /**
   * The tree of one property as the owner's serializer writes it (null where it leaves it out), as
   * the normalised whole-object tree holds it: desired without nulls, and without the partition.
   */
  private JsonNode node(
      BeanPropertyWriter property, Object owner, List<String> held, int depth, boolean desired) {
    if (provider == null) {
      provider = Normaliser.MAPPER.getSerializerProviderInstance();
    }
    JsonNode node = TreeGenerator.propertyToTree(Normaliser.MAPPER, provider, property, owner);
    if (node == null) {
      return null;
    }
    if (desired) {
      if (node.isNull()) {
        return null;
      }
      Normaliser.removeNulls(node);
    }
    if (held != null) {
      Normaliser.removePartition(node, held, depth);
    }
    return node;
  }

  /**
   * Whether two values a serializer of their own writes (IntOrString, Quantity) are written alike,
   * with no null in them: the trees drop Git's nulls but keep the server's, so a null written on
   * both sides may still be a change.
   */
  private static boolean sameAsWritten(Object want, Object have) {
    JsonNode written = tree(want);
    return !holdsNull(written) && written.equals(tree(have));
  }

  private static boolean holdsNull(JsonNode node) {
    if (node.isNull()) {
      return true;
    }
    for (JsonNode child : node) {
      if (holdsNull(child)) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode tree(Object value) {
    return TreeGenerator.valueToTree(Normaliser.MAPPER, value);
  }

  private static Object get(BeanPropertyWriter property, Object owner) {
    try {
      return property.get(owner);
    } catch (Exception e) {
      throw new Unsure();
    }
  }

  private static boolean hasExtras(Shape shape, Object model) {
    if (shape.extras() == null) {
      return false;
    }
    try {
      Object extras = shape.extras().get(model);
      return extras instanceof Map<?, ?> map && !map.isEmpty();
    } catch (IllegalAccessException e) {
      return true;
    }
  }

  /**
   * The properties the plan's mapper writes for {@code type}, if it writes it as a plain bean whose
   * only unknown-field holder is fabric8's {@code additionalProperties} map.
   */
  private static Shape shapeOf(Class<?> type) {
    try {
      SerializerProvider provider = Normaliser.MAPPER.getSerializerProviderInstance();
      JsonSerializer<Object> serializer = provider.findValueSerializer(type);
      if (serializer.getClass() != BeanSerializer.class || serializer.usesObjectId()) {
        return null;
      }
      List<Prop> properties = new ArrayList<>();
      Map<String, Prop> byName = new LinkedHashMap<>();
      Iterator<PropertyWriter> writers = ((BeanSerializer) serializer).properties();
      while (writers.hasNext()) {
        PropertyWriter writer = writers.next();
        if (writer instanceof AnyGetterWriter) {
          continue; // the unknown fields: an object with any is left to the trees (hasExtras)
        }
        if (!(writer instanceof BeanPropertyWriter property)
            || property.getClass() != BeanPropertyWriter.class) {
          return null;
        }
        String name = property.getName();
        Prop prop = new Prop(property, name, OwnedFields.keyOf(name));
        properties.add(prop);
        byName.put(name, prop);
      }
      BeanDescription description =
          Normaliser.MAPPER
              .getSerializationConfig()
              .introspect(Normaliser.MAPPER.constructType(type));
      AnnotatedMember anyGetter = description.findAnyGetter();
      Field extras = null;
      if (anyGetter != null) {
        if (!anyGetter.getName().equals("getAdditionalProperties")) {
          return null;
        }
        extras = declaredField(type, "additionalProperties");
        if (extras == null || !Map.class.isAssignableFrom(extras.getType())) {
          return null;
        }
        extras.setAccessible(true);
      }
      return new Shape(List.copyOf(properties), Map.copyOf(byName), extras);
    } catch (JsonMappingException | RuntimeException e) {
      return null;
    }
  }

  private static Field declaredField(Class<?> type, String name) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      try {
        return at.getDeclaredField(name);
      } catch (NoSuchFieldException e) {
        // look further up
      }
    }
    return null;
  }
}
