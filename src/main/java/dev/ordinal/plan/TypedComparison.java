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
import io.fabric8.kubernetes.api.model.AnyType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

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

  /**
   * How the plan's mapper writes a model class: its properties, in order, in an array walked by
   * index (a cold plan runs in code C2 has not compiled, which allocates every iterator it asks
   * for). The array is written only in {@link #shapeOf} and never leaves this class.
   */
  private record Shape(Prop[] properties, Map<String, Prop> byName, Field extras) {}

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

  // The path below the root to the node being compared: a field name, an index, or (with its key)
  // an item of a keyed list. Made into a FieldPath only where a change or a removal is recorded:
  // cold, a FieldPath for every object stepped into was the largest allocation left in a plan.
  private Object[] pathSegments = new Object[16];
  private ListKey[] pathKeys = new ListKey[16];
  private int pathDepth;

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
    Prop[] properties = shape.properties();
    for (int i = 0; i < properties.length; i++) {
      Prop property = properties[i];
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
        default -> removals = collect(removals, property(property, desired, live, owned, held, 0));
      }
    }
    report(removals);
  }

  private void push(Object segment, ListKey key) {
    if (pathDepth == pathSegments.length) {
      pathSegments = Arrays.copyOf(pathSegments, pathDepth * 2);
      pathKeys = Arrays.copyOf(pathKeys, pathDepth * 2);
    }
    pathSegments[pathDepth] = segment;
    pathKeys[pathDepth] = key;
    pathDepth++;
  }

  // A walk that throws Unsure is discarded whole, so only returns must leave the stack as they
  // found it: each push is popped before its caller looks at the result.
  private void pop() {
    pathDepth--;
    pathSegments[pathDepth] = null;
    pathKeys[pathDepth] = null;
  }

  /** The path of the node being compared. */
  private FieldPath path() {
    FieldPath path = FieldPath.ROOT;
    for (int i = 0; i < pathDepth; i++) {
      Object segment = pathSegments[i];
      ListKey key = pathKeys[i];
      if (key != null) {
        // The item's identity, which list() found complete before stepping in.
        path = path.item(key.identity(field -> text(segment, field)));
      } else if (segment instanceof Integer index) {
        path = path.index(index);
      } else {
        path = path.field((String) segment);
      }
    }
    return path;
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
    push("metadata", null);
    try {
      return metadataPropertiesSettled(shape, key, options, desired, live, under, mark);
    } finally {
      pop();
    }
  }

  private boolean metadataPropertiesSettled(
      Shape shape,
      ObjectKey key,
      PlanOptions options,
      ObjectMeta desired,
      ObjectMeta live,
      OwnedFields under,
      int mark) {
    Prop[] properties = shape.properties();
    for (int i = 0; i < properties.length; i++) {
      Prop property = properties[i];
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
            default -> property(property, desired, live, under, null, 0) == null;
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
    return !MapWalk.anyEntry(
            wanted,
            (name, value) ->
                value != null && !ignored.contains(name) && !value.equals(held.get(name)))
        && !MapWalk.anyEntry(
            held,
            (name, value) ->
                !ignored.contains(name) && wanted.get(name) == null && owned.ownsField(name));
  }

  private static Map<String, String> mapOrEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }

  /** A field Ordinal owned that Git no longer sets: reported after the fields Git sets. */
  private record Removal(FieldPath path, String name, JsonNode have) {}

  /**
   * Compares one property of the objects at the current path, and returns the removal it finds (a
   * field Ordinal owned that Git no longer sets), which the caller reports after the fields Git
   * sets. {@code held}, when not null, is the partition's path, of which {@code depth} names lead
   * here.
   */
  private Removal property(
      Prop property, Object desired, Object live, OwnedFields owned, List<String> held, int depth) {
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
          return new Removal(path(), name, haveNode);
        }
      }
      return null;
    }
    Object have = get(property.writer(), live);
    int mark = comparison.mark();
    if (settled(name, key, want, have, owned, heldBelow, depth + 1)) {
      return null;
    }
    comparison.resetTo(mark);
    JsonNode wantNode = node(property.writer(), desired, heldBelow, depth + 1, true);
    JsonNode haveNode = node(property.writer(), live, heldBelow, depth + 1, false);
    if (wantNode == null) {
      return haveNode != null && owned.ownsKey(key) ? new Removal(path(), name, haveNode) : null;
    }
    comparison.field(path(), name, wantNode, haveNode, owned);
    return null;
  }

  /**
   * Whether the models settle field {@code name} (set in Git to {@code want}): true once its
   * changes, if any, are recorded exactly; false if the trees must decide it (the caller then drops
   * what this recorded).
   */
  private boolean settled(
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
      push(name, null);
      try {
        return list(name, key, wantList, (List<?>) have, owned);
      } finally {
        pop();
      }
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
    push(name, null);
    try {
      return object(shape, want, have, owned.fieldByKey(key), held, depth);
    } finally {
      pop();
    }
  }

  private boolean object(
      Shape shape, Object desired, Object live, OwnedFields owned, List<String> held, int depth) {
    if (hasExtras(shape, desired) || hasExtras(shape, live)) {
      return false;
    }
    List<Removal> removals = null;
    Prop[] properties = shape.properties();
    for (int i = 0; i < properties.length; i++) {
      removals = collect(removals, property(properties[i], desired, live, owned, held, depth));
    }
    report(removals);
    return true;
  }

  /**
   * A list Git sets: settled when it is empty on both sides and not owned, or when both hold the
   * same items in the same order (by key, for keyed lists), each settled in turn.
   */
  private boolean list(String name, String trieKey, List<?> want, List<?> have, OwnedFields owned) {
    if (want.isEmpty()) {
      return (have == null || have.isEmpty()) && !owned.ownsKey(trieKey);
    }
    if (have == null || have.size() != want.size()) {
      return false;
    }
    boolean scalars = true;
    for (int i = 0; i < want.size(); i++) {
      Object item = want.get(i);
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
        push(i, null);
        boolean settled = item(want.get(i), have.get(i), OwnedFields.NONE);
        pop();
        if (!settled) {
          return false;
        }
      }
      return true;
    }
    OwnedFields under = owned.fieldByKey(trieKey);
    // Identities seen so far, to leave a list with two items of one key to the trees. Most keyed
    // lists hold a few items, for which a scan of an array allocates less than a hash set, cold; a
    // list of one needs neither.
    Set<String> seenMany = want.size() > 8 ? new HashSet<>() : null;
    String[] seen = want.size() > 1 && seenMany == null ? new String[want.size()] : null;
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
      // Same key on both (which needs every key field, as an identity does), and no earlier item
      // with it.
      ListKey.Fields wantedFields = field -> text(wanted, field);
      if (!key.sameKey(wantedFields, field -> text(held, field))
          || (want.size() > 1 && !firstSeen(key.identity(wantedFields), seen, i, seenMany))) {
        return false;
      }
      OwnedFields itemOwned = under.item(key, field -> trieText(held, field));
      push(wanted, key);
      boolean settled = item(wanted, held, itemOwned);
      pop();
      if (!settled) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code identity} is new among the {@code count} before it, and notes it. */
  private static boolean firstSeen(
      String identity, String[] seen, int count, Set<String> seenMany) {
    if (seenMany != null) {
      return seenMany.add(identity);
    }
    for (int i = 0; i < count; i++) {
      if (seen[i].equals(identity)) {
        return false;
      }
    }
    seen[count] = identity;
    return true;
  }

  private boolean item(Object want, Object have, OwnedFields owned) {
    if (isScalar(want) || have == null || have.getClass() != want.getClass()) {
      return false;
    }
    Shape shape = SHAPES.get(want.getClass());
    if (shape == null) {
      return sameAsWritten(want, have);
    }
    return object(shape, want, have, owned, null, 0);
  }

  /**
   * A map Git sets (labels, selectors, resource quantities): settled when every entry Git sets is
   * equal live and no live entry Git lacks is owned.
   */
  private boolean map(String key, Map<?, ?> want, Map<?, ?> have, OwnedFields owned) {
    // Walked with forEach (see MapWalk), in one pass over Git's entries.
    WantedEntries wanted = new WantedEntries(have);
    want.forEach(wanted);
    if (wanted.unsettled) {
      return false;
    }
    if (!wanted.wantsAny) {
      return (have == null || have.isEmpty()) && !owned.ownsKey(key);
    }
    if (wanted.oddKey) {
      return false;
    }
    OwnedFields under = owned.fieldByKey(key);
    return !MapWalk.anyEntry(
        have,
        (liveKey, value) ->
            !(liveKey instanceof String text) || (want.get(text) == null && under.ownsField(text)));
  }

  /**
   * Git's entries of a map, each held to the live map's: whether Git sets any, whether a key is no
   * string, and whether an entry Git sets is missing or different live.
   */
  private static final class WantedEntries implements BiConsumer<Object, Object> {
    private final Map<?, ?> have;
    private boolean wantsAny;
    private boolean oddKey;
    private boolean unsettled;

    WantedEntries(Map<?, ?> have) {
      this.have = have;
    }

    @Override
    public void accept(Object key, Object value) {
      if (!(key instanceof String)) {
        oddKey = true;
        unsettled |= value != null;
        return;
      }
      if (value == null || unsettled) {
        return;
      }
      wantsAny = true;
      Object other = have == null ? null : have.get(key);
      unsettled = other == null || !valueSettled(value, other);
    }
  }

  /** Whether a map value Git sets is the live one, as the trees would find it. */
  private static boolean valueSettled(Object value, Object other) {
    if (isScalar(value)) {
      return value.equals(other);
    }
    return other.getClass() == value.getClass()
        && !(value instanceof List<?>)
        && !(value instanceof Map<?, ?>)
        && SHAPES.get(value.getClass()) == null
        && sameAsWritten(value, other);
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
    // The two such kinds nearly every StatefulSet holds (resources, ports), compared as their
    // serializers write them without building trees: cold, the trees of them were a tenth of what
    // a plan of 10,000 StatefulSets allocated.
    if (want.getClass() == Quantity.class
        && have.getClass() == Quantity.class
        && QUANTITY_AS_TEXT) {
      Quantity wanted = (Quantity) want;
      Quantity held = (Quantity) have;
      return (Objects.equals(wanted.getAmount(), held.getAmount())
              && Objects.equals(wanted.getFormat(), held.getFormat()))
          || written(wanted).equals(written(held));
    }
    if (want.getClass() == IntOrString.class
        && have.getClass() == IntOrString.class
        && INT_OR_STRING_AS_VALUE) {
      Object value = ((IntOrString) want).getValue();
      if (isScalar(value)) {
        return value.equals(((IntOrString) have).getValue());
      }
    }
    JsonNode written = tree(want);
    return !holdsNull(written) && written.equals(tree(have));
  }

  // Whether the plan's mapper writes a Quantity as fabric8's serializer does (the text of its
  // amount and its format) and an IntOrString as its value; if another serializer were registered,
  // sameAsWritten would build trees of them.
  private static final boolean QUANTITY_AS_TEXT =
      serializerIs(Quantity.class, Quantity.Serializer.class);
  private static final boolean INT_OR_STRING_AS_VALUE =
      serializerIs(IntOrString.class, AnyType.Serializer.class);

  private static boolean serializerIs(Class<?> type, Class<?> serializer) {
    try {
      return Normaliser.MAPPER.getSerializerProviderInstance().findValueSerializer(type).getClass()
          == serializer;
    } catch (JsonMappingException | RuntimeException e) {
      return false;
    }
  }

  /** A Quantity's text as {@link Quantity.Serializer} writes it. */
  private static String written(Quantity quantity) {
    String amount = quantity.getAmount();
    String format = quantity.getFormat();
    if (format == null) {
      return amount == null ? "" : amount;
    }
    return amount == null ? format : amount.concat(format);
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
      return new Shape(properties.toArray(new Prop[0]), Map.copyOf(byName), extras);
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
