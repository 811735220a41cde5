package dev.ordinal.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The planner's answer: one {@link ObjectPlan} per object, in apply order (Namespace,
 * ServiceAccount, RBAC, ConfigMap/Secret, Service, StatefulSet, other kinds; then namespace and
 * name). Prune candidates sort the same way; delete them in reverse.
 */
public record Plan(List<ObjectPlan> objects, PlanOptions options) {

  /** How many objects got each kind of plan. */
  public record Counts(int create, int unchanged, int update, int refused, int prune) {
    public int total() {
      return create + unchanged + update + refused + prune;
    }

    /** {@code 1 to create, 2 to update, 0 refused, 1 to prune, 10 unchanged}. */
    public String summary() {
      return create
          + " to create, "
          + update
          + " to update, "
          + refused
          + " refused, "
          + prune
          + " to prune, "
          + unchanged
          + " unchanged";
    }
  }

  private static final Comparator<ObjectPlan> BY_KEY = (a, b) -> a.key().compareTo(b.key());

  public Plan {
    List<ObjectPlan> sorted = new ArrayList<>(objects);
    sorted.sort(BY_KEY);
    objects = List.copyOf(sorted);
    Objects.requireNonNull(options, "options");
  }

  /** Whether applying would change anything (refusals and prune candidates included). */
  public boolean hasChanges() {
    return objects.stream().anyMatch(ObjectPlan::isChange);
  }

  public boolean hasRefusals() {
    return objects.stream().anyMatch(p -> p instanceof ObjectPlan.Refused);
  }

  public Counts counts() {
    int create = 0;
    int unchanged = 0;
    int update = 0;
    int refused = 0;
    int prune = 0;
    for (ObjectPlan plan : objects) {
      if (plan instanceof ObjectPlan.Create) {
        create++;
      } else if (plan instanceof ObjectPlan.Unchanged) {
        unchanged++;
      } else if (plan instanceof ObjectPlan.Update || plan instanceof ObjectPlan.Recreate) {
        update++;
      } else if (plan instanceof ObjectPlan.Refused) {
        refused++;
      } else {
        prune++;
      }
    }
    return new Counts(create, unchanged, update, refused, prune);
  }

  /** The plans of one kind, in plan order: {@code plan.ofType(ObjectPlan.Update.class)}. */
  public <T extends ObjectPlan> List<T> ofType(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  /** Prune candidates in the order to delete them: the reverse of apply order. */
  public List<ObjectPlan.PruneCandidate> pruneCandidatesInDeletionOrder() {
    List<ObjectPlan.PruneCandidate> candidates =
        new ArrayList<>(ofType(ObjectPlan.PruneCandidate.class));
    Collections.reverse(candidates);
    return candidates;
  }

  /** Every changed object's unified diff, for {@code ordinal diff}; empty if nothing changes. */
  public String unifiedDiff() {
    return ObjectDiff.unified(this);
  }
}
