package dev.ordinal.plan;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers the plan of each object between two plans of one app, keyed by content, so that a
 * commit that changes one file re-plans one object, and a controller's status write re-plans
 * nothing. A plan is reused while the object is still under (or still not under) a rollout policy
 * and
 *
 * <ul>
 *   <li>the live side is at the same version: a {@link LiveFingerprint} (a hash of the live fields
 *       a plan reads: no status, no managedFields but the applier's own, no resourceVersion), or a
 *       resourceVersion for callers that have nothing better;
 *   <li>the desired side has the same content: the same instance (the manifest loader hands out one
 *       per unchanged blob), or one that normalises to the same object (a reformatted file, a
 *       comment).
 * </ul>
 *
 * A remembered {@link ObjectPlan.Unchanged} keeps only the identity of its live object, not the
 * object. Use one memo per app: the other plan options must not change.
 */
public final class PlanMemo {
  private record Entry(
      HasMetadata desired, String liveVersion, boolean underPolicy, ObjectPlan plan) {}

  private final Map<ObjectKey, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  ObjectPlan lookup(
      ObjectKey key,
      HasMetadata desired,
      String liveVersion,
      boolean underPolicy,
      PlanOptions options) {
    Entry entry = entries.get(key);
    if (entry != null
        && entry.underPolicy() == underPolicy
        && entry.liveVersion().equals(liveVersion)) {
      if (entry.desired() == desired) {
        hits.incrementAndGet();
        return entry.plan();
      }
      boolean ignorePartition = underPolicy && StatefulSetRules.isStatefulSet(key);
      if (Normaliser.desired(entry.desired(), key, options, ignorePartition)
          .equals(Normaliser.desired(desired, key, options, ignorePartition))) {
        hits.incrementAndGet();
        ObjectPlan rebound = withDesired(entry.plan(), desired);
        entries.put(key, new Entry(desired, liveVersion, underPolicy, rebound));
        return rebound;
      }
    }
    misses.incrementAndGet();
    return null;
  }

  void remember(
      ObjectKey key,
      HasMetadata desired,
      String liveVersion,
      boolean underPolicy,
      ObjectPlan plan) {
    ObjectPlan kept =
        plan instanceof ObjectPlan.Unchanged u
            ? new ObjectPlan.Unchanged(u.key(), u.desired(), identity(u.live()))
            : plan;
    entries.put(key, new Entry(desired, liveVersion, underPolicy, kept));
  }

  /**
   * Forgets one object's plan: its next plan reads it afresh, whatever a watch cache, which may lag
   * behind a write just refused, says of its version.
   */
  public void forget(ObjectKey key) {
    entries.remove(key);
  }

  /** Forgets objects not in {@code keys}, so the memo never outgrows the app. */
  void retainOnly(Set<ObjectKey> keys) {
    // After a plan the memo must be no larger than the app. One that is may keep a plan of an
    // object gone (one whose twin went, so its new plan was not remembered), which is harmless: a
    // plan is reused only for the same desired object and live version. Checking all N keys again
    // on every plan cost a one-file change of 10,000 objects 4% of its time.
    if (entries.size() > keys.size()) {
      entries.keySet().retainAll(keys);
    }
  }

  /** Plans reused since the memo was made. */
  public long hits() {
    return hits.get();
  }

  /** Plans computed since the memo was made. */
  public long misses() {
    return misses.get();
  }

  /** How many objects' plans are remembered. */
  public int size() {
    return entries.size();
  }

  static boolean underPolicy(HasMetadata desired, PlanOptions options) {
    return desired instanceof StatefulSet sts && options.isUnderRolloutPolicy(sts);
  }

  /** The same plan for another desired instance of the same content. */
  private static ObjectPlan withDesired(ObjectPlan plan, HasMetadata desired) {
    if (plan instanceof ObjectPlan.Create c) {
      return new ObjectPlan.Create(c.key(), desired);
    }
    if (plan instanceof ObjectPlan.Unchanged u) {
      return new ObjectPlan.Unchanged(u.key(), desired, u.live());
    }
    if (plan instanceof ObjectPlan.Update u) {
      return new ObjectPlan.Update(u.key(), desired, u.live(), u.changes(), u.classes());
    }
    if (plan instanceof ObjectPlan.Refused r) {
      return new ObjectPlan.Refused(r.key(), desired, r.live(), r.forbidden(), r.message());
    }
    return plan;
  }

  /** What an unchanged plan keeps of its live object: kind and identity. */
  private static HasMetadata identity(HasMetadata live) {
    ObjectMeta m = live.getMetadata();
    GenericKubernetesResource stub = new GenericKubernetesResource();
    stub.setApiVersion(live.getApiVersion());
    stub.setKind(live.getKind());
    stub.setMetadata(
        new ObjectMetaBuilder()
            .withName(m.getName())
            .withNamespace(m.getNamespace())
            .withUid(m.getUid())
            .withResourceVersion(m.getResourceVersion())
            .build());
    return stub;
  }
}
