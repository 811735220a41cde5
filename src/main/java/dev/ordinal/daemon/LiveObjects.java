package dev.ordinal.daemon;

import dev.ordinal.plan.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The port through which the sync loop reads live objects for planning, applies Git's objects and
 * prunes what left Git. Reads come from a watch cache that may hold only a fingerprint of each
 * object ({@link Live#complete()} false); {@link #full} reads the whole object when a plan needs
 * it, so that an unchanged object costs no request at all.
 */
public interface LiveObjects {

  /**
   * A live object as planning sees it.
   *
   * @param fingerprint a hash of everything a plan depends on ({@code plan.LiveFingerprint}): equal
   *     fingerprints plan alike against the same desired object
   * @param object the whole object when {@code complete}; otherwise a stub with its identity,
   *     labels, annotations and owner references (what pruning decides on)
   */
  record Live(ObjectKey key, String fingerprint, HasMetadata object, boolean complete) {}

  /** The live twin of each desired object that exists, by key. */
  Map<ObjectKey, Live> lookup(Collection<? extends HasMetadata> desired, String defaultNamespace);

  /**
   * Objects carrying {@code app}'s inventory label in {@code namespace}, among the given kinds
   * (apiVersion → kinds); kinds the server does not serve are skipped.
   */
  List<Live> inventory(String app, String namespace, Map<String, Set<String>> kindsByApiVersion);

  /** The whole live object behind {@code live}, read fresh; empty when it is gone. */
  Optional<HasMetadata> full(Live live);

  /** Server-side apply as Ordinal's Git applier; Git is the source of truth, so it is forced. */
  HasMetadata apply(HasMetadata desired);

  /** Deletes a pruned object. PersistentVolumeClaims are refused as a last line of defence. */
  void delete(Live live);

  /**
   * Raises a StatefulSet's partition to {@code partition} as the rollout side's field manager, only
   * if it still is {@code seen} (a precondition on the partition alone; {@code seen} null means the
   * StatefulSet is still OnDelete and becomes RollingUpdate at that partition), and marks it as
   * held for a Git change until {@code holdUntil} (an instant) so the rollout engine does not lower
   * it before the template lands.
   */
  HoldResult hold(ObjectKey statefulSet, Integer seen, int partition, String holdUntil);

  /** The outcome of {@link #hold}. */
  enum HoldResult {
    HELD,
    /** The partition is no longer what the plan saw: plan again. */
    MOVED,
    /** The StatefulSet is gone. */
    GONE
  }
}
