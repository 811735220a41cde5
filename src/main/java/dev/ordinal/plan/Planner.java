package dev.ordinal.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Compares desired objects (from Git) with live objects (from the API server) and decides, per
 * object, what applying Git would do. Pure: no I/O, no clock, safe to call from any thread.
 *
 * <p>Live objects are compared with "desired is a subset" semantics, so that an unchanged manifest
 * plans as {@link ObjectPlan.Unchanged} against the object the API server defaulted. See {@link
 * #planObject} for the rules.
 */
public final class Planner {

  // Below this, a parallel stream costs more in coordination than it saves.
  private static final int PARALLEL_THRESHOLD = 256;

  private Planner() {}

  /**
   * Plans every desired object against its live twin (matched by group, kind, namespace and name)
   * and, when pruning is enabled, every live object with Ordinal's inventory label that Git no
   * longer has.
   *
   * @param live everything Ordinal may own: the caller lists live objects by kind and label
   * @throws IllegalArgumentException if two desired objects share an identity, or an object has no
   *     kind or name
   */
  public static Plan plan(
      Collection<? extends HasMetadata> desired,
      Collection<? extends HasMetadata> live,
      PlanOptions options) {
    return plan(desired, live, options, null);
  }

  /**
   * As {@link #plan(Collection, Collection, PlanOptions)}, reusing the plans in {@code memo} of
   * objects that did not change since the memo's last plan (see {@link PlanMemo}); a live object's
   * version is its resourceVersion.
   */
  public static Plan plan(
      Collection<? extends HasMetadata> desired,
      Collection<? extends HasMetadata> live,
      PlanOptions options,
      PlanMemo memo) {
    Map<ObjectKey, HasMetadata> liveByKey = index(live, options, "live");
    LiveSource source =
        new LiveSource() {
          @Override
          public String version(ObjectKey key) {
            HasMetadata object = liveByKey.get(key);
            if (object == null) {
              return null;
            }
            String rv = object.getMetadata().getResourceVersion();
            // Objects without a resourceVersion (tests, files) are versioned by identity.
            return rv != null ? rv : "@" + System.identityHashCode(object);
          }

          @Override
          public HasMetadata read(ObjectKey key) {
            return liveByKey.get(key);
          }

          @Override
          public String versionOfRead(HasMetadata object) {
            String rv = object.getMetadata().getResourceVersion();
            return rv != null ? rv : "@" + System.identityHashCode(object);
          }
        };
    return plan(
        desired, source, options.pruneEnabled() ? liveByKey.values() : List.of(), options, memo);
  }

  /**
   * What planning reads of the live side: a version per object that changes whenever its plan could
   * (a resourceVersion, or a {@link LiveFingerprint}), and the whole object, read only when the
   * memo has no plan for that version.
   */
  public interface LiveSource {
    /** The live object's version, or null when it does not exist. */
    String version(ObjectKey key);

    /** The whole live object; null when it is gone. */
    HasMetadata read(ObjectKey key);

    /** The version of an object {@link #read} returned, under which its plan is remembered. */
    String versionOfRead(HasMetadata object);
  }

  /**
   * Plans every desired object against the live source, reusing {@code memo}'s plan whenever the
   * desired instance and the live version are those it was made for, and — when pruning is enabled
   * — every object of {@code inventory} (live objects with Ordinal's inventory label; identity and
   * metadata suffice) that Git no longer has.
   */
  public static Plan plan(
      Collection<? extends HasMetadata> desired,
      LiveSource live,
      Collection<? extends HasMetadata> inventory,
      PlanOptions options,
      PlanMemo memo) {
    Map<ObjectKey, HasMetadata> desiredByKey = index(desired, options, "desired");
    Stream<Map.Entry<ObjectKey, HasMetadata>> entries =
        desiredByKey.size() >= PARALLEL_THRESHOLD
            // A LinkedHashMap splits into a few uneven batches; a list splits evenly, in order.
            ? new ArrayList<>(desiredByKey.entrySet()).parallelStream()
            : desiredByKey.entrySet().stream();
    List<ObjectPlan> plans =
        entries
            .map(e -> memoised(e.getKey(), e.getValue(), live, options, memo))
            .collect(Collectors.toCollection(ArrayList::new));
    if (memo != null) {
      memo.retainOnly(desiredByKey.keySet());
    }
    if (options.pruneEnabled()) {
      for (Map.Entry<ObjectKey, HasMetadata> entry : index(inventory, options, "live").entrySet()) {
        if (!desiredByKey.containsKey(entry.getKey())
            && isPrunable(entry.getKey(), entry.getValue(), options)) {
          plans.add(new ObjectPlan.PruneCandidate(entry.getKey(), entry.getValue()));
        }
      }
    }
    return new Plan(plans, options);
  }

  /**
   * Plans one desired object against its live twin ({@code null} if there is none).
   *
   * <ul>
   *   <li>Ignored: {@code status}, server metadata (managedFields, resourceVersion, uid,
   *       generation, creationTimestamp, selfLink), the last-applied annotation, and every live
   *       field Git does not set, unless Ordinal's field manager owned it (then it was removed from
   *       Git and is reported as a removal).
   *   <li>Keyed lists (containers, env, volumes, volumeMounts, ports, volumeClaimTemplates, ...)
   *       match by merge key; other lists by position. Quantities compare by value.
   *   <li>A Secret's {@code stringData} is folded into {@code data} as the server does; the values
   *       of its changes read {@code ***}.
   *   <li>A StatefulSet's partition is ignored while {@link PlanOptions#isUnderRolloutPolicy}.
   *   <li>Changes to StatefulSet spec fields Kubernetes will not update (volumeClaimTemplates,
   *       selector, serviceName, podManagementPolicy: all but replicas, ordinals, template,
   *       updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and
   *       minReadySeconds) give {@link ObjectPlan.Refused}, unless the StatefulSet opted in to
   *       recreates ({@link PlanOptions#allowsRecreate}) and the commit leaves the pod template as
   *       it is: then {@link ObjectPlan.Recreate}, which only grows the volumes when that is all
   *       that changed, and otherwise (serviceName, selector, podManagementPolicy, claim template
   *       metadata) rolls the pods afterwards. In a commit that also changes the pod template they
   *       are refused (see {@link StatefulSetRules#templateWithRecreate}). A shrink is always
   *       refused.
   * </ul>
   */
  public static ObjectPlan planObject(HasMetadata desired, HasMetadata live, PlanOptions options) {
    return plan(ObjectKey.of(desired, options.defaultNamespace()), desired, live, options);
  }

  /**
   * The object the planner compared: {@code desired} in its namespace (the default one if it names
   * none) with the inventory label {@value PlanOptions#APP_LABEL}. Apply this, so that the next
   * plan of the same Git revision is {@link ObjectPlan.Unchanged}.
   */
  public static GenericKubernetesResource desiredAsApplied(
      HasMetadata desired, PlanOptions options) {
    ObjectKey key = ObjectKey.of(desired, options.defaultNamespace());
    ObjectNode tree = Normaliser.desired(desired, key, options, false);
    return Normaliser.MAPPER.convertValue(tree, GenericKubernetesResource.class);
  }

  private static ObjectPlan memoised(
      ObjectKey key, HasMetadata desired, LiveSource live, PlanOptions options, PlanMemo memo) {
    String version = live.version(key);
    if (version == null) {
      return new ObjectPlan.Create(key, desired);
    }
    boolean underPolicy = PlanMemo.underPolicy(desired, options);
    if (memo != null) {
      ObjectPlan known = memo.lookup(key, desired, version, underPolicy, options);
      if (known != null) {
        return known;
      }
    }
    HasMetadata object = live.read(key);
    ObjectPlan fresh = plan(key, desired, object, options);
    if (memo != null && object != null) {
      memo.remember(key, desired, live.versionOfRead(object), underPolicy, fresh);
    }
    return fresh;
  }

  /**
   * Remembers in {@code memo} the plan of {@code desired} against {@code applied}, the object the
   * API server answered an apply with, under its {@link LiveFingerprint}: the plan after a sync
   * then reads no object that sync wrote. For memos whose live versions are fingerprints.
   */
  public static void rememberApplied(
      PlanMemo memo, HasMetadata desired, HasMetadata applied, PlanOptions options) {
    ObjectKey key = ObjectKey.of(desired, options.defaultNamespace());
    memo.remember(
        key,
        desired,
        LiveFingerprint.of(applied),
        PlanMemo.underPolicy(desired, options),
        plan(key, desired, applied, options));
  }

  private static ObjectPlan plan(
      ObjectKey key, HasMetadata desired, HasMetadata live, PlanOptions options) {
    if (live == null) {
      return new ObjectPlan.Create(key, desired);
    }
    List<FieldChange> changes = compare(key, desired, live, options, false).changes();
    if (Secrets.isSecret(key)) {
      changes = Secrets.hideValues(changes);
    }
    if (changes.isEmpty()) {
      return new ObjectPlan.Unchanged(key, desired, live);
    }
    if (StatefulSetRules.isStatefulSet(key)) {
      List<FieldChange> forbidden =
          changes.stream().filter(StatefulSetRules::isForbidden).collect(Collectors.toList());
      if (!forbidden.isEmpty()) {
        StatefulSet wanted = asStatefulSet(desired);
        ImmutableChanges immutable = ImmutableChanges.of(wanted, asStatefulSet(live), forbidden);
        boolean optedIn = options.allowsRecreate(wanted);
        boolean recreatable = immutable.volumeGrowthOnly() || immutable.recreatableWithRollout();
        boolean templateChanges = changes.stream().anyMatch(c -> c.isAtOrUnder("spec.template"));
        if (optedIn && recreatable && !templateChanges) {
          return new ObjectPlan.Recreate(key, desired, live, forbidden, immutable);
        }
        if (optedIn && recreatable) {
          return new ObjectPlan.Refused(
              key, desired, live, forbidden, StatefulSetRules.templateWithRecreate(key, forbidden));
        }
        return new ObjectPlan.Refused(
            key,
            desired,
            live,
            forbidden,
            StatefulSetRules.refusal(key, forbidden, immutable, optedIn));
      }
    }
    return new ObjectPlan.Update(
        key, desired, live, changes, StatefulSetRules.classes(key, changes));
  }

  /**
   * The changes and the two views a diff renders (both null unless asked for: without them, the
   * models are compared field by field where they can be, see {@link TypedComparison}).
   */
  record Comparison(List<FieldChange> changes, ObjectNode desiredView, JsonNode liveView) {}

  static Comparison compare(
      ObjectKey key, HasMetadata desired, HasMetadata live, PlanOptions options, boolean withView) {
    boolean ignorePartition =
        StatefulSetRules.isStatefulSet(key) && options.isUnderRolloutPolicy(asStatefulSet(desired));
    OwnedFields owned = OwnedFields.of(live, options.fieldManager());
    if (!withView) {
      List<FieldChange> changes =
          TypedComparison.changes(key, desired, live, options, ignorePartition, owned);
      if (changes != null) {
        return new Comparison(changes, null, null);
      }
    }
    ObjectNode desiredTree = Normaliser.desired(desired, key, options, ignorePartition);
    ObjectNode liveTree = Normaliser.live(live, ignorePartition);
    SubsetComparison.Result result =
        withView
            ? SubsetComparison.compareWithView(desiredTree, liveTree, owned)
            : SubsetComparison.changes(desiredTree, liveTree, owned);
    return new Comparison(result.changes(), desiredTree, result.liveView());
  }

  private static StatefulSet asStatefulSet(HasMetadata object) {
    if (object instanceof StatefulSet sts) {
      return sts;
    }
    // A generic resource read from YAML: the policy predicate wants the typed model.
    return Normaliser.MAPPER.convertValue(object, StatefulSet.class);
  }

  private static boolean isPrunable(ObjectKey key, HasMetadata live, PlanOptions options) {
    ObjectMeta metadata = live.getMetadata();
    Map<String, String> labels = metadata.getLabels();
    if (labels == null || !options.appName().equals(labels.get(PlanOptions.APP_LABEL))) {
      return false;
    }
    // PVCs hold the data StatefulSets exist for; StatefulSet VCT labels would also put the
    // inventory label on them. Ordinal never deletes one.
    if (key.group().isEmpty() && key.kind().equals("PersistentVolumeClaim")) {
      return false;
    }
    Map<String, String> annotations = metadata.getAnnotations();
    if (annotations != null && "false".equals(annotations.get(PlanOptions.PRUNE_ANNOTATION))) {
      return false;
    }
    // Objects a controller made (pods from a template carrying the label) die with their owner.
    List<OwnerReference> owners = metadata.getOwnerReferences();
    if (owners != null) {
      for (OwnerReference owner : owners) {
        if (Boolean.TRUE.equals(owner.getController())) {
          return false;
        }
      }
    }
    return true;
  }

  private static Map<ObjectKey, HasMetadata> index(
      Collection<? extends HasMetadata> objects, PlanOptions options, String side) {
    // In the given order (the loader's, by file path), which is most often the plan's order or
    // close to it: the plan's sort then merges a few runs instead of sorting N keys from scratch.
    Map<ObjectKey, HasMetadata> byKey = new LinkedHashMap<>(objects.size() * 2);
    for (HasMetadata object : objects) {
      ObjectKey key = ObjectKey.of(object, options.defaultNamespace());
      if (byKey.putIfAbsent(key, object) != null && side.equals("desired")) {
        throw new IllegalArgumentException(
            "Git declares " + key + " more than once; each object may appear only once");
      }
      // A live object listed twice (under two versions of its API) is the same object: keep one.
    }
    return byKey;
  }
}
