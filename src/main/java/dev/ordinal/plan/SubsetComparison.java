package dev.ordinal.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares a normalised desired tree with a normalised live tree under "desired is a subset"
 * semantics: only fields Git sets are compared; a live field Git does not set is a server default
 * or another manager's business and is ignored, unless Ordinal owned it (then the user removed it
 * from Git and applying will remove it from the cluster).
 *
 * <p>Besides the changes, it builds the live view a diff should show: live restricted to what Git
 * sets (plus owned removals), with values that compare equal (1Gi and 1073741824) written as Git
 * writes them, so that a diff shows exactly the changes and nothing else.
 */
final class SubsetComparison {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  // Children of these objects are resource quantities (resources.requests.storage, limits.cpu,
  // a ResourceQuota's hard, a LimitRange's default/defaultRequest/max/min...).
  private static final Set<String> QUANTITY_MAPS =
      Set.of(
          "requests",
          "limits",
          "capacity",
          "allocatable",
          "hard",
          "overhead",
          "default",
          "defaultRequest",
          "max",
          "min",
          "maxLimitRequestRatio");

  // Single quantity fields: emptyDir.sizeLimit, an HPA metric target's averageValue.
  private static final Set<String> QUANTITY_FIELDS = Set.of("sizeLimit", "averageValue");

  private static final ObjectNode EMPTY = NODES.objectNode();

  // Non-pointer Kubernetes fields tagged omitempty, where the server stores "", false or 0 as
  // absent, and absent means the same as the zero value wherever the name occurs (checked against
  // 1.35). Pointer fields (runAsUser, privileged, automountServiceAccountToken...) are kept by the
  // server, so a zero there that the live object lacks is a real change and stays reported.
  private static final Set<String> OMITEMPTY_ZERO_FIELDS =
      Set.of(
          "value",
          "readOnly",
          "subPath",
          "subPathExpr",
          "workingDir",
          "stdin",
          "stdinOnce",
          "tty",
          "hostPort",
          "hostIP",
          "hostNetwork",
          "hostPID",
          "hostIPC",
          "nodeName",
          "hostname",
          "subdomain",
          "minReadySeconds",
          "initialDelaySeconds");

  private final List<FieldChange> changes = new ArrayList<>();

  // Planning only needs the changes; building the view would double what a comparison allocates.
  private final boolean buildView;

  /** The outcome: changes in tree order, and (if asked for) the live view to diff against. */
  record Result(List<FieldChange> changes, JsonNode liveView) {}

  private SubsetComparison(boolean buildView) {
    this.buildView = buildView;
  }

  /** The changes only; {@link Result#liveView()} is null. */
  static Result changes(ObjectNode desired, ObjectNode live, OwnedFields owned) {
    return compare(desired, live, owned, false);
  }

  /** The changes and the live view. */
  static Result compareWithView(ObjectNode desired, ObjectNode live, OwnedFields owned) {
    return compare(desired, live, owned, true);
  }

  private static Result compare(
      ObjectNode desired, ObjectNode live, OwnedFields owned, boolean buildView) {
    SubsetComparison comparison = new SubsetComparison(buildView);
    ObjectNode view = comparison.compareObjects(FieldPath.ROOT, desired, live, owned, true);
    return new Result(List.copyOf(comparison.changes), view);
  }

  private JsonNode compare(
      FieldPath path, String field, JsonNode desired, JsonNode live, OwnedFields owned) {
    if (desired.isObject()) {
      if (!live.isObject()) {
        return changed(path, live, desired);
      }
      return compareObjects(path, (ObjectNode) desired, (ObjectNode) live, owned, false);
    }
    if (desired.isArray()) {
      if (!live.isArray()) {
        return changed(path, live, desired);
      }
      return compareLists(path, field, (ArrayNode) desired, (ArrayNode) live, owned);
    }
    if (scalarsEqual(desired, live) || (isQuantity(path) && quantitiesEqual(desired, live))) {
      return desired;
    }
    return changed(path, live, desired);
  }

  private ObjectNode compareObjects(
      FieldPath path, ObjectNode desired, ObjectNode live, OwnedFields owned, boolean root) {
    ObjectNode view = buildView ? NODES.objectNode() : null;
    for (Map.Entry<String, JsonNode> entry : desired.properties()) {
      String name = entry.getKey();
      JsonNode want = entry.getValue();
      if (root && (name.equals("apiVersion") || name.equals("kind"))) {
        // Identity already matched group and kind; the version is only how we read it.
        put(view, name, want);
        continue;
      }
      JsonNode shown = field(path, name, want, live.get(name), owned);
      if (shown != null) {
        put(view, name, shown);
      }
    }
    for (Map.Entry<String, JsonNode> entry : live.properties()) {
      String name = entry.getKey();
      if (!desired.has(name) && owned.ownsField(name)) {
        removed(path, name, entry.getValue());
        put(view, name, entry.getValue());
      }
    }
    return view;
  }

  /**
   * Compares field {@code name} of the object at {@code path}, which Git sets to {@code want}, with
   * its live value {@code have} (null if live lacks it), and returns what the view shows for it
   * (null for nothing). {@link TypedComparison} calls this for each field it cannot settle on the
   * models, so both paths decide a field here.
   */
  JsonNode field(FieldPath path, String name, JsonNode want, JsonNode have, OwnedFields owned) {
    FieldPath child = path.field(name);
    if (have == null || have.isNull()) {
      if (isEmptyContainer(want) || isOmittedZero(name, want)) {
        // The server drops empty maps and lists and, for these fields, zero values (omitempty):
        // {} or readOnly: false in Git is no change.
        return want;
      } else if (want.isObject()) {
        // Report each new field, not the whole map: a new label reads as metadata.labels.team.
        compareObjects(child, (ObjectNode) want, EMPTY, OwnedFields.NONE, false);
      } else {
        changes.add(new FieldChange(child.toString(), MissingNode.getInstance(), want));
      }
      return null;
    }
    // A scalar is compared whole: what the manager owns under it is never asked.
    OwnedFields under = want.isContainerNode() ? owned.field(name) : OwnedFields.NONE;
    return compare(child, name, want, have, under);
  }

  /**
   * Field {@code name} of the object at {@code path}: Ordinal owned it, and Git no longer sets it.
   */
  void removed(FieldPath path, String name, JsonNode have) {
    changes.add(new FieldChange(path.field(name).toString(), have, MissingNode.getInstance()));
  }

  /** For a caller that takes back what it added since: the number of changes so far. */
  int mark() {
    return changes.size();
  }

  /** Drops the changes added since {@code mark}. */
  void resetTo(int mark) {
    changes.subList(mark, changes.size()).clear();
  }

  /** A comparison that builds no view, for a caller that compares field by field. */
  static SubsetComparison fieldByField() {
    return new SubsetComparison(false);
  }

  /** The changes found so far, in the order found. */
  List<FieldChange> changesFound() {
    return List.copyOf(changes);
  }

  private JsonNode compareLists(
      FieldPath path, String field, ArrayNode desired, ArrayNode live, OwnedFields owned) {
    ListKey key = ListKey.forField(field, desired);
    Map<String, JsonNode> liveByKey = key == null ? null : index(key, live);
    Map<String, JsonNode> desiredByKey = key == null ? null : index(key, desired);
    if (liveByKey == null || desiredByKey == null) {
      return comparePositionally(path, field, desired, live);
    }
    ArrayNode view = buildView ? NODES.arrayNode() : null;
    for (Map.Entry<String, JsonNode> entry : desiredByKey.entrySet()) {
      JsonNode have = liveByKey.get(entry.getKey());
      FieldPath item = path.item(entry.getKey());
      if (have == null) {
        changes.add(new FieldChange(item.toString(), MissingNode.getInstance(), entry.getValue()));
      } else {
        add(view, compare(item, null, entry.getValue(), have, owned.item(have, key)));
      }
    }
    for (Map.Entry<String, JsonNode> entry : liveByKey.entrySet()) {
      if (!desiredByKey.containsKey(entry.getKey()) && owned.ownsItem(entry.getValue(), key)) {
        changes.add(
            new FieldChange(
                path.item(entry.getKey()).toString(), entry.getValue(), MissingNode.getInstance()));
        add(view, entry.getValue());
      }
    }
    return view;
  }

  private JsonNode comparePositionally(
      FieldPath path, String field, ArrayNode desired, ArrayNode live) {
    if (desired.size() != live.size()) {
      return changed(path, live, desired);
    }
    ArrayNode view = buildView ? NODES.arrayNode() : null;
    int before = changes.size();
    for (int i = 0; i < desired.size(); i++) {
      // Items of positional lists have no identity managedFields could name, so nothing inside
      // them counts as owned: only fields Git sets are compared.
      add(view, compare(path.index(i), field, desired.get(i), live.get(i), OwnedFields.NONE));
    }
    if (changes.size() > before && !containsObjects(desired)) {
      // A list of scalars (args, command) reads better as one change than as per-index edits.
      changes.subList(before, changes.size()).clear();
      return changed(path, live, desired);
    }
    return view;
  }

  /** Items by key in list order; null if an item has no key or two share one (then: positional). */
  private static Map<String, JsonNode> index(ListKey key, ArrayNode list) {
    Map<String, JsonNode> byKey = new LinkedHashMap<>();
    for (JsonNode item : list) {
      String identity = key.identity(item);
      if (identity == null || byKey.putIfAbsent(identity, item) != null) {
        return null;
      }
    }
    return byKey;
  }

  private static void put(ObjectNode view, String name, JsonNode value) {
    if (view != null) {
      view.set(name, value);
    }
  }

  private static void add(ArrayNode view, JsonNode value) {
    if (view != null) {
      view.add(value);
    }
  }

  private JsonNode changed(FieldPath path, JsonNode live, JsonNode desired) {
    changes.add(new FieldChange(path.toString(), live, desired));
    return live;
  }

  private static boolean containsObjects(ArrayNode list) {
    for (JsonNode item : list) {
      if (item.isContainerNode()) {
        return true;
      }
    }
    return false;
  }

  private static boolean isOmittedZero(String name, JsonNode value) {
    if (!OMITEMPTY_ZERO_FIELDS.contains(name)) {
      return false;
    }
    return (value.isTextual() && value.textValue().isEmpty())
        || (value.isBoolean() && !value.booleanValue())
        || (value.isNumber() && value.decimalValue().signum() == 0);
  }

  private static boolean isEmptyContainer(JsonNode node) {
    return node.isContainerNode() && node.isEmpty();
  }

  private static boolean scalarsEqual(JsonNode desired, JsonNode live) {
    if (desired.equals(live)) {
      return true;
    }
    // 3 and 3L (or 3.0) are one number; "3" and 3 are not (IntOrString keeps them apart).
    return desired.isNumber()
        && live.isNumber()
        && desired.decimalValue().compareTo(live.decimalValue()) == 0;
  }

  private static boolean isQuantity(FieldPath path) {
    FieldPath parent = path.parent();
    return (parent != null && QUANTITY_MAPS.contains(parent.name()))
        || QUANTITY_FIELDS.contains(path.name());
  }

  private static boolean quantitiesEqual(JsonNode desired, JsonNode live) {
    if (!isQuantityText(desired) || !isQuantityText(live)) {
      return false;
    }
    try {
      return new Quantity(desired.asText()).compareTo(new Quantity(live.asText())) == 0;
    } catch (RuntimeException notAQuantity) {
      return false;
    }
  }

  private static boolean isQuantityText(JsonNode node) {
    return node.isTextual() || node.isNumber();
  }
}
