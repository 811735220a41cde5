package dev.ordinal.kube;

import dev.ordinal.backup.BackupNames;
import dev.ordinal.daemon.Daemon;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.daemon.Recreator;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.plan.ObjectKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The RBAC Ordinal needs for a config, exactly: every verb it grants is one the code uses, and
 * every use is granted (a test compares the two through the API server's audit log). Nothing is
 * granted cluster-wide by default: the rollout and applier rules are a ClusterRole bound by a
 * RoleBinding in each namespace an app may deploy to, and Ordinal's own namespace gets a Role for
 * its Lease, its analysis-run ConfigMap and the Secrets the config names. Cluster-wide only what
 * the config asks for: the cluster-scoped kinds an app's boundary lists, and reading StorageClasses
 * when an app may grow volumes ({@code boundary.recreates}). {@code ordinal rbac --config FILE}
 * prints it; {@code manifests/rbac.yaml} is its output for {@code manifests/configmap.yaml}.
 */
public final class RbacManifest {
  /** The ServiceAccount Ordinal runs as, in its own namespace. */
  public static final String SERVICE_ACCOUNT = "ordinal";

  /** Grants of one API group and resource. */
  public record Rule(
      String group, String resource, List<String> resourceNames, List<String> verbs, String why) {}

  private RbacManifest() {}

  /** Rules in Ordinal's own namespace. */
  public static List<Rule> home(DaemonConfig config) {
    List<Rule> rules = new ArrayList<>();
    rules.add(
        config.shardsOrDefault() == 1
            ? new Rule(
                "coordination.k8s.io",
                "leases",
                List.of(),
                List.of("get", "create", "patch"),
                "leader election on the Lease '"
                    + Daemon.LEASE_NAME
                    + "': read it, create it, renew or take it over (a merge patch carrying the"
                    + " resourceVersion it read)")
            : new Rule(
                "coordination.k8s.io",
                "leases",
                List.of(),
                List.of("list", "create", "patch", "delete"),
                "shards: list the shard and replica Leases to count live replicas and find free"
                    + " shards, create them, renew, take over or release them (a merge patch"
                    + " carrying the resourceVersion it read), delete those of replicas long gone"));
    boolean recreates = config.apps().stream().anyMatch(a -> a.appBoundary().recreates());
    rules.add(
        new Rule(
            "",
            "configmaps",
            recreates
                ? List.of(Daemon.ANALYSIS_RUNS, Recreator.STORE)
                : List.of(Daemon.ANALYSIS_RUNS),
            List.of("get", "update"),
            recreates
                ? "analysis runs, and the steps of a recreate in flight (boundary.recreates),"
                    + " survive a restart in these ConfigMaps"
                : "analysis runs survive a restart in this one ConfigMap"));
    rules.add(
        new Rule(
            "",
            "configmaps",
            List.of(),
            List.of("create"),
            recreates
                ? "create those ConfigMaps the first time (create cannot be limited by name)"
                : "create that ConfigMap the first time (create cannot be limited by name)"));
    Set<String> secrets = new TreeSet<>();
    if (config.analysisSecrets() != null) {
      secrets.addAll(config.analysisSecrets());
    }
    if (config.prometheus() != null) {
      config.prometheus().values().stream()
          .filter(server -> server.bearerTokenSecret() != null)
          .forEach(server -> secrets.add(server.bearerTokenSecret().name()));
    }
    if (!secrets.isEmpty()) {
      rules.add(
          new Rule(
              "",
              "secrets",
              List.copyOf(secrets),
              List.of("get"),
              "the Prometheus credentials the config names; no other Secret is readable"));
    }
    return rules;
  }

  /** Rules in every namespace an app may deploy to: rolling out, and applying its kinds. */
  public static List<Rule> app(Set<String> kinds, boolean prune) {
    return app(kinds, prune, AppBoundary.Backups.NONE);
  }

  /**
   * Rules in every namespace an app may deploy to: rolling out, applying its kinds, and the backups
   * its boundary allows.
   */
  public static List<Rule> app(Set<String> kinds, boolean prune, AppBoundary.Backups backups) {
    return app(kinds, prune, backups, false);
  }

  /**
   * Rules in every namespace an app may deploy to: rolling out, applying its kinds, the backups its
   * boundary allows, and recreates to grow volumes when it allows those.
   */
  public static List<Rule> app(
      Set<String> kinds, boolean prune, AppBoundary.Backups backups, boolean recreates) {
    List<Rule> rules = new ArrayList<>();
    rules.add(
        new Rule(
            "",
            "pods",
            List.of(),
            List.of("get", "list", "watch", "delete"),
            "watch a StatefulSet's pods; delete one to move it (OnDelete) or send it back"
                + " (rollback), with a precondition on its revision"));
    rules.add(
        new Rule(
            "",
            "events",
            List.of(),
            List.of("create", "patch"),
            "an Event on the StatefulSet for every decision, and on the object or Namespace of"
                + " a refused or invalid commit; a repeat raises the count of the first"));
    for (String kind : new TreeSet<>(kinds)) {
      String group = kind.contains("/") ? kind.substring(0, kind.indexOf('/')) : "";
      String resource = plural(kind.substring(kind.indexOf('/') + 1));
      List<String> verbs = new ArrayList<>(List.of("get", "list", "watch", "create", "patch"));
      String why = "apply from Git (server-side apply), watched for planning";
      if (resource.equals("statefulsets")) {
        why =
            "apply from Git; watch status for rollouts; write the partition and the rollout state"
                + " (patch under resourceVersion)"
                + (backups.allowed() ? "; lower and restore the replicas around a restore" : "");
      }
      if (prune && !resource.equals("persistentvolumeclaims")) {
        verbs.add("delete");
        why += "; prune what left Git (prune: true)";
      }
      rules.add(new Rule(group, resource, List.of(), verbs, why));
    }
    if (backups.allowed()) {
      backupRules(rules, backups);
    }
    if (recreates) {
      recreateRules(rules);
    }
    return rules;
  }

  /** What {@code boundary.recreates} adds, in the app's namespaces (only verbs not yet granted). */
  private static void recreateRules(List<Rule> rules) {
    addMissing(
        rules,
        new Rule(
            "apps",
            "statefulsets",
            List.of(),
            List.of("get", "delete"),
            "recreates (boundary.recreates): read the StatefulSet fresh, delete it with"
                + " propagationPolicy Orphan under a resourceVersion precondition (its pods and"
                + " claims stay) to create it again with grown volume claim templates"));
    addMissing(
        rules,
        new Rule(
            "",
            "persistentvolumeclaims",
            List.of(),
            List.of("list", "patch"),
            "recreates: list the claims of the volume claim templates that grow, patch each to"
                + " the new size (never delete one)"));
  }

  /**
   * Cluster-wide rules: the cluster-scoped kinds the config allows an app, and reading
   * StorageClasses when an app may grow volumes. Empty for most configs.
   */
  public static List<Rule> cluster(DaemonConfig config) {
    List<Rule> rules = new ArrayList<>();
    for (String kind : namespaces(config).clusterKinds()) {
      String group = kind.contains("/") ? kind.substring(0, kind.indexOf('/')) : "";
      rules.add(
          new Rule(
              group,
              plural(kind.substring(kind.indexOf('/') + 1)),
              List.of(),
              List.of("get", "list", "watch", "create", "patch"),
              "a cluster-scoped kind the config allows an app (boundary.kinds)"));
    }
    if (config.apps().stream().anyMatch(a -> a.appBoundary().recreates())) {
      addMissing(
          rules,
          new Rule(
              "storage.k8s.io",
              "storageclasses",
              List.of(),
              List.of("get"),
              "recreates (boundary.recreates): a claim grows only if its StorageClass has"
                  + " allowVolumeExpansion (StorageClasses are cluster-scoped; read, never"
                  + " written)"));
    }
    return rules;
  }

  /**
   * What {@code boundary.backups} adds: only the verbs the rules above do not grant already, so
   * each verb is granted once, with the reason it is there.
   */
  private static void backupRules(List<Rule> rules, AppBoundary.Backups backups) {
    addMissing(
        rules,
        new Rule(
            BackupNames.SNAPSHOT_GROUP,
            "volumesnapshots",
            List.of(),
            List.of("get", "list", "watch", "create", "delete"),
            "backups (boundary.backups): a VolumeSnapshot of every claim before a rollout, watched"
                + " until readyToUse; read fresh before a claim is replaced; sets beyond keep,"
                + " failed or never completed are deleted"));
    addMissing(
        rules,
        new Rule(
            "",
            "persistentvolumeclaims",
            List.of(),
            List.of("get", "list", "watch", "create", "delete"),
            "backups: claims are read to be snapshotted and watched during a restore, which"
                + " deletes a claim only while a readyToUse snapshot of it exists and creates it"
                + " again from that snapshot"));
    if (backups.hooks().contains(AppBoundary.Backups.EXEC)) {
      addMissing(
          rules,
          new Rule(
              "",
              "pods/exec",
              List.of(),
              List.of("get", "create"),
              "backup hooks (boundary.backupHooks: exec): run the quiesce and resume commands in"
                  + " each pod (an exec over WebSocket is a GET, which Kubernetes 1.35 authorizes"
                  + " as get and create)"));
    }
    if (backups.hooks().contains(AppBoundary.Backups.JOB)) {
      addMissing(
          rules,
          new Rule(
              "batch",
              "jobs",
              List.of(),
              List.of("get", "list", "watch", "create", "delete"),
              "backup hooks (boundary.backupHooks: job): create the quiesce and resume Jobs,"
                  + " watch them end, delete them with their set"));
    }
  }

  /** Adds {@code rule} with only the verbs no rule of its group and resource grants yet. */
  private static void addMissing(List<Rule> rules, Rule rule) {
    Set<String> granted = new TreeSet<>();
    for (Rule r : rules) {
      if (r.group().equals(rule.group())
          && r.resource().equals(rule.resource())
          && r.resourceNames().isEmpty()) {
        granted.addAll(r.verbs());
      }
    }
    List<String> verbs = rule.verbs().stream().filter(v -> !granted.contains(v)).toList();
    if (!verbs.isEmpty()) {
      rules.add(new Rule(rule.group(), rule.resource(), List.of(), verbs, rule.why()));
    }
  }

  /** The kinds of all apps with prune on, and of all apps, by namespace. */
  private record Namespaces(
      Map<String, Set<String>> kinds,
      Map<String, Boolean> prune,
      Map<String, AppBoundary.Backups> backups,
      Map<String, Boolean> recreates,
      Set<String> clusterKinds) {}

  private static Namespaces namespaces(DaemonConfig config) {
    Map<String, Set<String>> kinds = new TreeMap<>();
    Map<String, Boolean> prune = new TreeMap<>();
    Map<String, AppBoundary.Backups> backups = new TreeMap<>();
    Map<String, Boolean> recreates = new TreeMap<>();
    Set<String> clusterKinds = new TreeSet<>();
    for (DaemonConfig.App app : config.apps()) {
      AppBoundary boundary = app.appBoundary();
      for (String ns : boundary.namespaces()) {
        Set<String> set = kinds.computeIfAbsent(ns, k -> new TreeSet<>());
        for (String kind : boundary.kinds()) {
          String bare = kind.substring(kind.indexOf('/') + 1);
          if (ObjectKey.isClusterScoped(bare)) {
            clusterKinds.add(kind);
          } else {
            set.add(kind);
          }
        }
        prune.merge(ns, app.pruneEnabled(), Boolean::logicalOr);
        backups.merge(ns, boundary.backups(), RbacManifest::either);
        recreates.merge(ns, boundary.recreates(), Boolean::logicalOr);
      }
    }
    return new Namespaces(kinds, prune, backups, recreates, clusterKinds);
  }

  /** What two apps sharing a namespace may do to its volumes between them. */
  private static AppBoundary.Backups either(AppBoundary.Backups a, AppBoundary.Backups b) {
    Set<String> hooks = new TreeSet<>(a.hooks());
    hooks.addAll(b.hooks());
    return new AppBoundary.Backups(a.allowed() || b.allowed(), hooks);
  }

  /** The whole manifest: Roles, ClusterRoles and their bindings, as YAML with the reasons. */
  public static String yaml(DaemonConfig config) {
    String home = config.ordinalNamespaceOrDefault();
    StringBuilder out = new StringBuilder();
    out.append(
        "# Generated by `ordinal rbac --config FILE` from Ordinal's config: exactly the verbs the"
            + " code uses\n# (a test compares them with what the API server audits). Nothing is"
            + " granted cluster-wide\n# unless the config allows an app a cluster-scoped kind, or recreates"
            + " (StorageClasses read).\n");
    role(out, "Role", "ordinal", home, home(config));
    binding(out, "RoleBinding", "ordinal", home, "Role", "ordinal", home);
    Namespaces namespaces = namespaces(config);
    Map<String, String> roleByKinds = new LinkedHashMap<>();
    namespaces
        .kinds()
        .forEach(
            (ns, kinds) -> {
              boolean prune = namespaces.prune().get(ns);
              AppBoundary.Backups backups = namespaces.backups().get(ns);
              boolean recreates = namespaces.recreates().get(ns);
              String name =
                  "ordinal-app"
                      + (prune ? "-prune" : "")
                      + backupSuffix(backups)
                      + (recreates ? "-recreate" : "")
                      + suffix(kinds);
              if (!roleByKinds.containsKey(name)) {
                roleByKinds.put(name, name);
                role(out, "ClusterRole", name, null, app(kinds, prune, backups, recreates));
              }
              binding(out, "RoleBinding", "ordinal", ns, "ClusterRole", name, home);
            });
    List<Rule> rules = cluster(config);
    if (!rules.isEmpty()) {
      role(out, "ClusterRole", "ordinal-cluster", null, rules);
      binding(
          out,
          "ClusterRoleBinding",
          "ordinal-cluster",
          null,
          "ClusterRole",
          "ordinal-cluster",
          home);
    }
    return out.toString();
  }

  /** {@code -backup}, with the hook kinds: {@code -backup-exec-job}; empty without backups. */
  private static String backupSuffix(AppBoundary.Backups backups) {
    if (!backups.allowed()) {
      return "";
    }
    StringBuilder suffix = new StringBuilder("-backup");
    new TreeSet<>(backups.hooks()).forEach(h -> suffix.append('-').append(h));
    return suffix.toString();
  }

  /** Apps with the default kinds share one ClusterRole; others get one named for their kinds. */
  private static String suffix(Set<String> kinds) {
    Set<String> extra = new TreeSet<>(kinds);
    extra.removeAll(AppBoundary.DEFAULT_KINDS);
    if (extra.isEmpty()) {
      return "";
    }
    return "-" + Integer.toHexString(String.join(",", extra).hashCode());
  }

  private static void role(
      StringBuilder out, String kind, String name, String ns, List<Rule> rules) {
    out.append("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ").append(kind).append('\n');
    out.append("metadata:\n  name: ").append(name).append('\n');
    if (ns != null) {
      out.append("  namespace: ").append(ns).append('\n');
    }
    out.append("  labels: {app.kubernetes.io/name: ordinal}\nrules:\n");
    for (Rule rule : rules) {
      out.append("  # ").append(rule.why()).append('\n');
      out.append("  - apiGroups: [\"").append(rule.group()).append("\"]\n");
      out.append("    resources: [").append(rule.resource()).append("]\n");
      if (!rule.resourceNames().isEmpty()) {
        out.append("    resourceNames: [")
            .append(String.join(", ", rule.resourceNames()))
            .append("]\n");
      }
      out.append("    verbs: [").append(String.join(", ", rule.verbs())).append("]\n");
    }
  }

  private static void binding(
      StringBuilder out,
      String kind,
      String name,
      String ns,
      String roleKind,
      String role,
      String home) {
    out.append("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ").append(kind).append('\n');
    out.append("metadata:\n  name: ").append(name).append('\n');
    if (ns != null) {
      out.append("  namespace: ").append(ns).append('\n');
    }
    out.append("  labels: {app.kubernetes.io/name: ordinal}\n");
    out.append("roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ")
        .append(roleKind)
        .append(", name: ")
        .append(role)
        .append("}\n");
    out.append("subjects: [{kind: ServiceAccount, name: ")
        .append(SERVICE_ACCOUNT)
        .append(", namespace: ")
        .append(home)
        .append("}]\n");
  }

  /** The resource of a kind, as the API server names it (the built-in kinds plural lower-case). */
  static String plural(String kind) {
    String lower = kind.toLowerCase(Locale.ROOT);
    if (lower.endsWith("policy")) {
      return lower.substring(0, lower.length() - 1) + "ies";
    }
    if (lower.endsWith("s")) {
      return lower + "es";
    }
    return lower + "s";
  }
}
