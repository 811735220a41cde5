package dev.ordinal.plan;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What Ordinal will do with one object. The {@code toString} of each is a one-line summary for logs
 * (the objects themselves are left out).
 */
public sealed interface ObjectPlan
    permits ObjectPlan.Create,
        ObjectPlan.Unchanged,
        ObjectPlan.Update,
        ObjectPlan.Refused,
        ObjectPlan.Recreate,
        ObjectPlan.PruneCandidate {

  /** Identity of the object (with the default namespace applied). */
  ObjectKey key();

  /** Whether applying this plan would touch the cluster (or is refused). */
  default boolean isChange() {
    return !(this instanceof Unchanged);
  }

  /** In Git, not in the cluster. */
  record Create(ObjectKey key, HasMetadata desired) implements ObjectPlan {
    public Create {
      Objects.requireNonNull(key);
      Objects.requireNonNull(desired);
    }

    @Override
    public String toString() {
      return "create " + key;
    }
  }

  /** In the cluster exactly as Git wants it (server defaults and other managers' fields aside). */
  record Unchanged(ObjectKey key, HasMetadata desired, HasMetadata live) implements ObjectPlan {
    public Unchanged {
      Objects.requireNonNull(key);
      Objects.requireNonNull(desired);
      Objects.requireNonNull(live);
    }

    @Override
    public String toString() {
      return "unchanged " + key;
    }
  }

  /** Differs and can be applied; {@code classes} says how (e.g. a rollout for a pod template). */
  record Update(
      ObjectKey key,
      HasMetadata desired,
      HasMetadata live,
      List<FieldChange> changes,
      Set<ChangeClass> classes)
      implements ObjectPlan {
    public Update {
      Objects.requireNonNull(key);
      Objects.requireNonNull(desired);
      Objects.requireNonNull(live);
      changes = List.copyOf(changes);
      // An EnumSet keeps the classes in declaration order, so logs and output are stable.
      EnumSet<ChangeClass> ordered = EnumSet.noneOf(ChangeClass.class);
      ordered.addAll(classes);
      classes = Collections.unmodifiableSet(ordered);
    }

    /** True when nothing but {@code spec.replicas} changes. */
    public boolean isScaleOnly() {
      return classes.equals(Set.of(ChangeClass.SCALE));
    }

    @Override
    public String toString() {
      return "update " + key + " " + classes + " " + changes;
    }
  }

  /**
   * Differs in fields Kubernetes will not update in place; {@code message} names them and the
   * remedy. Applying it would fail, so Ordinal does not try.
   */
  record Refused(
      ObjectKey key,
      HasMetadata desired,
      HasMetadata live,
      List<FieldChange> forbidden,
      String message)
      implements ObjectPlan {
    public Refused {
      Objects.requireNonNull(key);
      Objects.requireNonNull(desired);
      Objects.requireNonNull(live);
      forbidden = List.copyOf(forbidden);
      Objects.requireNonNull(message);
    }

    @Override
    public String toString() {
      return "refused " + key + ": " + message;
    }
  }

  /**
   * A StatefulSet that differs in fields Kubernetes will not update in place, which asked Ordinal
   * to carry the change out by recreating it ({@code immutableChanges: recreate}): grow the claims
   * of {@code changes}, orphan-delete the StatefulSet and create it again from Git, its pods
   * running on.
   */
  record Recreate(
      ObjectKey key,
      HasMetadata desired,
      HasMetadata live,
      List<FieldChange> forbidden,
      ImmutableChanges changes)
      implements ObjectPlan {
    public Recreate {
      Objects.requireNonNull(key);
      Objects.requireNonNull(desired);
      Objects.requireNonNull(live);
      forbidden = List.copyOf(forbidden);
      Objects.requireNonNull(changes);
    }

    /**
     * Whether the pods must be rolled to the recreated StatefulSet (through the rollout policy): a
     * change that reaches a pod only when the pod is created again. Volume growth alone rolls none.
     */
    public boolean rollsPods() {
      return !changes.others().isEmpty();
    }

    @Override
    public String toString() {
      return "recreate "
          + key
          + " growing "
          + changes.growths()
          + (rollsPods() ? ", rolling pods" : "");
    }
  }

  /** Carries Ordinal's inventory label but is no longer in Git, and pruning is enabled. */
  record PruneCandidate(ObjectKey key, HasMetadata live) implements ObjectPlan {
    public PruneCandidate {
      Objects.requireNonNull(key);
      Objects.requireNonNull(live);
    }

    @Override
    public String toString() {
      return "prune " + key;
    }
  }
}
