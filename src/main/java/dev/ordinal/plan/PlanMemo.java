package dev.ordinal.plan;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers the plan of each desired object between two plans of one app, so that a commit that
 * changes one file re-plans one object. The manifest loader hands out the same object instance for
 * an unchanged blob, so a plan is reused when the desired instance is the same, the live object is
 * at the same version (a {@link LiveFingerprint}, or a resourceVersion), and the object is still
 * under — or still not under — a rollout policy. Use one memo per app: the other plan options must
 * not change.
 */
public final class PlanMemo {
  private record Entry(String liveVersion, boolean underPolicy, ObjectPlan plan) {}

  private final Map<Identity, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  ObjectPlan lookup(HasMetadata desired, String liveVersion, boolean underPolicy) {
    Entry entry = entries.get(new Identity(desired));
    if (entry != null
        && entry.underPolicy() == underPolicy
        && entry.liveVersion().equals(liveVersion)) {
      hits.incrementAndGet();
      return entry.plan();
    }
    misses.incrementAndGet();
    return null;
  }

  void remember(HasMetadata desired, String liveVersion, boolean underPolicy, ObjectPlan plan) {
    entries.put(new Identity(desired), new Entry(liveVersion, underPolicy, plan));
  }

  /** Forgets every object not in {@code desired}, so the memo never outgrows the app. */
  void retainOnly(Collection<? extends HasMetadata> desired) {
    Set<Object> keep = Collections.newSetFromMap(new IdentityHashMap<>());
    keep.addAll(desired);
    entries.keySet().removeIf(key -> !keep.contains(key.object()));
  }

  /** Plans reused since the memo was made. */
  public long hits() {
    return hits.get();
  }

  /** Plans computed since the memo was made. */
  public long misses() {
    return misses.get();
  }

  static boolean underPolicy(HasMetadata desired, PlanOptions options) {
    return desired instanceof StatefulSet sts && options.isUnderRolloutPolicy(sts);
  }

  /** Object identity as a map key. */
  private record Identity(Object object) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Identity that && that.object == object;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(object);
    }
  }
}
