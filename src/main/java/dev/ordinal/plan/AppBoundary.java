package dev.ordinal.plan;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an app may apply, set by the operator in the daemon config and never in Git, like Argo CD's
 * AppProject: the destination namespaces (default: the app's own) and the kinds (default: the
 * namespaced kinds an app plausibly ships; no RBAC, no webhooks, no CRDs, no Namespaces, nothing
 * cluster-scoped). An app never takes over an object another app or another tool created unless the
 * operator allows adoption. Pure: a refusal is a message that names the object and the rule.
 *
 * @param app the app's name, for messages
 * @param namespaces where the app may put objects
 * @param extraKinds kinds allowed beyond the defaults, as {@code group/Kind} ({@code Kind} for the
 *     core group)
 * @param adopt whether the app may take over objects it did not create
 * @param recreates whether the app's StatefulSets may be recreated to grow their volumes (claims
 *     patched, the StatefulSet deleted with propagationPolicy Orphan and created again), when they
 *     opt in from Git ({@code immutableChanges: recreate})
 */
public record AppBoundary(
    String app,
    Set<String> namespaces,
    Set<String> extraKinds,
    boolean adopt,
    Backups backups,
    boolean recreates) {

  /**
   * What the app's RolloutPolicies may do to its volumes: nothing by default. With {@code allowed},
   * snapshot them and restore them (which deletes a claim, only with a readyToUse snapshot of it,
   * and creates it again from that snapshot); {@code hooks} are the hook kinds its policies may run
   * around the snapshots: {@code exec} in the app's pods, {@code job} as Jobs.
   */
  public record Backups(boolean allowed, Set<String> hooks) {
    public static final String EXEC = "exec";
    public static final String JOB = "job";
    public static final List<String> HOOKS = List.of(EXEC, JOB);
    public static final Backups NONE = new Backups(false, Set.of());

    public Backups {
      hooks = Set.copyOf(hooks);
    }
  }

  public AppBoundary(String app, Set<String> namespaces, Set<String> extraKinds, boolean adopt) {
    this(app, namespaces, extraKinds, adopt, Backups.NONE, false);
  }

  public AppBoundary(
      String app, Set<String> namespaces, Set<String> extraKinds, boolean adopt, Backups backups) {
    this(app, namespaces, extraKinds, adopt, backups, false);
  }

  /** The kinds every app may apply: namespaced, and granting no power over other objects. */
  public static final Set<String> DEFAULT_KINDS =
      Set.of(
          "ConfigMap",
          "Secret",
          "Service",
          "ServiceAccount",
          "PersistentVolumeClaim",
          "apps/StatefulSet",
          "apps/Deployment",
          "batch/Job",
          "batch/CronJob",
          "policy/PodDisruptionBudget",
          "networking.k8s.io/NetworkPolicy",
          "networking.k8s.io/Ingress",
          "autoscaling/HorizontalPodAutoscaler");

  public AppBoundary {
    namespaces = Set.copyOf(namespaces);
    extraKinds = Set.copyOf(extraKinds);
    backups = backups == null ? Backups.NONE : backups;
  }

  /** The boundary an app gets when the operator says nothing: its own namespace, default kinds. */
  public static AppBoundary defaults(String app, String namespace) {
    return new AppBoundary(app, Set.of(namespace), Set.of(), false);
  }

  /** Every kind the app may apply, as {@code group/Kind}. */
  public Set<String> kinds() {
    Set<String> all = new TreeSet<>(DEFAULT_KINDS);
    all.addAll(extraKinds);
    return all;
  }

  /** {@code group/Kind}, or {@code Kind} for the core group. */
  public static String kindOf(ObjectKey key) {
    return key.group().isEmpty() ? key.kind() : key.group() + "/" + key.kind();
  }

  /** Why the app may not apply this object; empty when it may. */
  public Optional<String> refusal(ObjectKey key) {
    String kind = kindOf(key);
    if (!kinds().contains(kind)) {
      return Optional.of(
          key.path()
              + ": kind "
              + kind
              + (key.isClusterScoped() ? " (cluster-scoped)" : "")
              + " is outside app "
              + app
              + "'s boundary; the operator can allow it by adding \""
              + kind
              + "\" to apps["
              + app
              + "].boundary.kinds in Ordinal's config (and granting Ordinal the RBAC to write it)");
    }
    if (!key.isClusterScoped() && !namespaces.contains(key.namespace())) {
      return Optional.of(
          key.path()
              + ": namespace "
              + key.namespace()
              + " is outside app "
              + app
              + "'s boundary (allowed: "
              + String.join(", ", new TreeSet<>(namespaces))
              + "); the operator can allow it by adding it to apps["
              + app
              + "].boundary.namespaces in Ordinal's config");
    }
    return Optional.empty();
  }

  /**
   * Why the app may not take over this live object: it carries another app's inventory label, or
   * none (another tool or a person created it). Empty when it may.
   */
  public Optional<String> adoptionRefusal(ObjectKey key, HasMetadata live) {
    if (adopt || live == null) {
      return Optional.empty();
    }
    Map<String, String> labels = live.getMetadata().getLabels();
    String owner = labels == null ? null : labels.get(PlanOptions.APP_LABEL);
    if (app.equals(owner)) {
      return Optional.empty();
    }
    String who =
        owner == null
            ? "was not created by Ordinal (no " + PlanOptions.APP_LABEL + " label)"
            : "belongs to app " + owner + " (" + PlanOptions.APP_LABEL + "=" + owner + ")";
    return Optional.of(
        key.path()
            + " "
            + who
            + "; app "
            + app
            + " never takes it over: remove it from this repository, or let the operator set apps["
            + app
            + "].boundary.adopt: true in Ordinal's config");
  }

  /**
   * Why the app's RolloutPolicy {@code policy} may not back up as it asks; empty when it may.
   *
   * @param hooks the hook kinds the policy uses ({@link Backups#EXEC}, {@link Backups#JOB})
   */
  public Optional<String> backupRefusal(String policy, Set<String> hooks) {
    if (!backups.allowed()) {
      return Optional.of(
          "RolloutPolicy "
              + policy
              + ": spec.backup is outside app "
              + app
              + "'s boundary (backups snapshot and restore the app's volumes); the operator can"
              + " allow it by setting apps["
              + app
              + "].boundary.backups: true in Ordinal's config (and regenerating the RBAC with"
              + " ordinal rbac --config)");
    }
    Set<String> outside = new TreeSet<>(hooks);
    outside.removeAll(backups.hooks());
    if (!outside.isEmpty()) {
      return Optional.of(
          "RolloutPolicy "
              + policy
              + ": spec.backup uses "
              + String.join(" and ", outside)
              + " hooks, outside app "
              + app
              + "'s boundary (allowed: "
              + (backups.hooks().isEmpty()
                  ? "none"
                  : String.join(", ", new TreeSet<>(backups.hooks())))
              + "); the operator can allow them by adding "
              + String.join(", ", outside)
              + " to apps["
              + app
              + "].boundary.backupHooks in Ordinal's config (and regenerating the RBAC)");
    }
    return Optional.empty();
  }

  /**
   * Why the StatefulSet {@code key}, which opted in from Git, may not be recreated for a change
   * Kubernetes forbids; empty when the operator allows it.
   */
  public Optional<String> recreateRefusal(ObjectKey key) {
    if (recreates) {
      return Optional.empty();
    }
    return Optional.of(
        "StatefulSet "
            + key.namespacedName()
            + ": recreating it for a change Kubernetes forbids (immutableChanges: recreate) is"
            + " outside app "
            + app
            + "'s boundary (it patches claims, reads StorageClasses and deletes the StatefulSet"
            + " with propagationPolicy Orphan); the operator can allow it by setting apps["
            + app
            + "].boundary.recreates: true in Ordinal's config (and regenerating the RBAC with"
            + " ordinal rbac --config)");
  }

  /** An object the app may not apply or take over, and why. */
  public record Refusal(ObjectKey key, String reason) {}

  /** Every refusal for a set of desired objects and their live twins (absent when new). */
  public List<Refusal> refusals(
      Collection<ObjectKey> desired, Map<ObjectKey, ? extends HasMetadata> live) {
    List<Refusal> refusals = new ArrayList<>();
    for (ObjectKey key : new TreeSet<>(desired)) {
      refusal(key).ifPresent(why -> refusals.add(new Refusal(key, why)));
      adoptionRefusal(key, live.get(key)).ifPresent(why -> refusals.add(new Refusal(key, why)));
    }
    return refusals;
  }
}
