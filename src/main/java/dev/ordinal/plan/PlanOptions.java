package dev.ordinal.plan;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What the planner needs to know beyond the objects themselves.
 *
 * @param defaultNamespace namespace of desired namespaced objects that do not name one
 * @param appName value of the inventory label {@value #APP_LABEL} that marks objects Ordinal
 *     applied
 * @param pruneEnabled whether labelled live objects missing from Git become prune candidates
 * @param rolloutPolicy true for a desired StatefulSet whose partition Ordinal's rollout engine
 *     drives, so that the live partition is not reported as drift
 * @param fieldManager the server-side apply field manager Ordinal applies with
 * @param recreate true for a desired StatefulSet that opted in to being recreated for a change
 *     Kubernetes forbids ({@code immutableChanges: recreate})
 */
public record PlanOptions(
    String defaultNamespace,
    String appName,
    boolean pruneEnabled,
    Predicate<StatefulSet> rolloutPolicy,
    String fieldManager,
    Predicate<StatefulSet> recreate) {

  /** Inventory label put on every object Ordinal applies. */
  public static final String APP_LABEL = "ordinal.dev/app";

  /** Annotation that, set to "false", protects a live object from pruning. */
  public static final String PRUNE_ANNOTATION = "ordinal.dev/prune";

  /** Ordinal's default server-side apply field manager. */
  public static final String DEFAULT_FIELD_MANAGER = "ordinal";

  public PlanOptions {
    Objects.requireNonNull(defaultNamespace, "defaultNamespace");
    Objects.requireNonNull(appName, "appName");
    Objects.requireNonNull(rolloutPolicy, "rolloutPolicy");
    Objects.requireNonNull(fieldManager, "fieldManager");
    Objects.requireNonNull(recreate, "recreate");
  }

  /** Options with pruning off, no StatefulSet under a rollout policy and the default manager. */
  public static PlanOptions of(String defaultNamespace, String appName) {
    return new PlanOptions(
        defaultNamespace, appName, false, sts -> false, DEFAULT_FIELD_MANAGER, sts -> false);
  }

  public PlanOptions withPruneEnabled(boolean enabled) {
    return new PlanOptions(
        defaultNamespace, appName, enabled, rolloutPolicy, fieldManager, recreate);
  }

  public PlanOptions withRolloutPolicy(Predicate<StatefulSet> policy) {
    return new PlanOptions(defaultNamespace, appName, pruneEnabled, policy, fieldManager, recreate);
  }

  public PlanOptions withFieldManager(String manager) {
    return new PlanOptions(
        defaultNamespace, appName, pruneEnabled, rolloutPolicy, manager, recreate);
  }

  public PlanOptions withRecreate(Predicate<StatefulSet> optedIn) {
    return new PlanOptions(
        defaultNamespace, appName, pruneEnabled, rolloutPolicy, fieldManager, optedIn);
  }

  /** Whether this desired StatefulSet asked to be recreated for a change Kubernetes forbids. */
  public boolean allowsRecreate(StatefulSet desired) {
    return recreate.test(desired);
  }

  /** Whether Ordinal's rollout engine drives the partition of this desired StatefulSet. */
  public boolean isUnderRolloutPolicy(StatefulSet desired) {
    return rolloutPolicy.test(desired);
  }
}
