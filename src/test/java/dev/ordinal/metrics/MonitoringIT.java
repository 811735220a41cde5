package dev.ordinal.metrics;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ordinal.analysis.PrometheusServer;
import dev.ordinal.daemon.Daemon;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.daemon.Leadership;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.shard.LeaseTiming;
import dev.ordinal.testkit.SimOrdinal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring assets against the real thing: Debian's Prometheus scrapes two real Ordinals (a
 * leader running rollouts over the in-memory cluster, and a standby of another lease held by
 * someone else) while a good release completes after a backup, a bad one on an OnDelete StatefulSet
 * is stuck waiting for a Git revert, an analysis whose Prometheus fails errors and rolls back with
 * a restore, a backup fails, an app's repository is unreachable and a commit is invalid. Then every
 * expression of the dashboard and of the alert rules parses and returns data, the rollback alert
 * fires in Prometheus, and {@code promtool} checks the rules and passes their unit tests.
 */
class MonitoringIT {
  static final Path MONITORING = Path.of("manifests", "monitoring");
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final String POLICY =
      "[{canary: {replicas: 1}}, {analysis: {templates: [{templateName: error-rate}]}},"
          + " {pause: {duration: 10s}}]";

  @TempDir Path tmp;

  static Map<String, String> tree(String orders, String ledger) {
    Map<String, String> tree = new LinkedHashMap<>(SimOrdinal.shop(orders, POLICY, "error-rate"));
    // orders snapshots its claims first and restores the canary's on a rollback; ledger does not
    tree.put(
        "shop/policy.yaml",
        tree.get("shop/policy.yaml") + "  backup: {keep: 2, restoreOnRollback: auto}\n");
    tree.put("shop/plain-policy.yaml", SimOrdinal.policy("plain", POLICY, "600"));
    tree.put("shop/ledger.yaml", SimOrdinal.statefulSet("ledger", ledger, "plain", true));
    return tree;
  }

  @Test
  void everyDashboardAndAlertExpressionReturnsDataFromARealOrdinal() throws Exception {
    Path rules = tmp.resolve("ordinal-rules.yaml");
    YAML.writeValue(
        rules.toFile(),
        YAML.readTree(MONITORING.resolve("prometheusrule.yaml").toFile()).get("spec"));
    try (SimOrdinal ordinal = SimOrdinal.create(tmp.resolve("leader"), 20)) {
      ordinal.remote.commit("main", tree("registry.local/orders:1", "registry.local/ledger:1"));
      Daemon leader =
          ordinal.start(
              "  - {name: broken, repo: '"
                  + tmp.resolve("no-such-repo").toUri()
                  + "', path: x, namespace: shop}\n",
              "",
              ", boundary: {backups: true}");
      try (Leadership someoneElse = heldBySomeoneElse(ordinal);
          Daemon standby = standby(ordinal);
          PrometheusServer prometheus =
              PrometheusServer.start(
                  tmp,
                  tmp.resolve("tsdb"),
                  "ordinal",
                  List.of(leader.port(), standby.port()),
                  rules)) {
        ordinal.awaitState("shop", "orders", "orders initialised", s -> s.phase() == Phase.HEALTHY);
        ordinal.awaitState("shop", "ledger", "ledger initialised", s -> s.phase() == Phase.HEALTHY);

        // Prometheus must have seen the rollback counters at 0 before they move: increase() needs
        // two samples, and under load its first scrape can come late
        for (String sts : List.of("orders", "ledger")) {
          await(
              "Prometheus scraping the leader's rollback counter of " + sts,
              Duration.ofSeconds(60),
              () ->
                  prometheus
                          .query(
                              "ordinal_rollbacks_total{statefulset=\""
                                  + sts
                                  + "\", reason=\"analysis_failed\"} == 0")
                          .size()
                      > 0,
              () -> "not yet");
        }

        // a good release of orders completes; ledger's canary fails and, OnDelete, waits for Git
        ordinal.prometheus.rate("orders", 0.01);
        ordinal.prometheus.rate("ledger", 0.3);
        ordinal.commit(tree("registry.local/orders:2", "registry.local/ledger:2"));
        ordinal.awaitState(
            "shop",
            "orders",
            "orders completed",
            s ->
                s.phase() == Phase.HEALTHY
                    && s.targetRevision().startsWith("orders-")
                    && s.rollout() == 1);
        ordinal.awaitState(
            "shop",
            "ledger",
            "ledger waiting for a Git revert",
            s -> s.reasonCode() == PhaseReason.ROLLBACK_NEEDS_GIT_REVERT);

        // orders' next release cannot be measured: errors past the limit roll it back
        ordinal.prometheus.failing("orders", true);
        ordinal.commit(tree("registry.local/orders:3", "registry.local/ledger:2"));
        ordinal.awaitState(
            "shop",
            "orders",
            "orders rolled back, its canary's claim restored",
            s ->
                s.phase() == Phase.ROLLED_BACK
                    && s.restore() == null
                    && s.backup() != null
                    && !s.backup().restored().isEmpty());

        // the next release of orders cannot be backed up: it does not start
        ordinal.cluster.failSnapshotOf("data-orders-0", "the snapshot class is gone (simulated)");
        ordinal.commit(tree("registry.local/orders:5", "registry.local/ledger:2"));
        ordinal.awaitState(
            "shop",
            "orders",
            "orders' backup failed",
            s -> s.reasonCode() == PhaseReason.BACKUP_FAILED);

        // an invalid commit: nothing applied
        Map<String, String> invalid = tree("registry.local/orders:4", "registry.local/ledger:2");
        invalid.put(
            "shop/orders.yaml",
            invalid.get("shop/orders.yaml").replace("replicas: 3", "replicas: lots"));
        ordinal.commit(invalid);

        List<String> expressions = new ArrayList<>();
        expressions.addAll(dashboardExpressions());
        expressions.addAll(ruleExpressions(rules));
        assertTrue(expressions.size() > 30, expressions.toString());
        for (String expr : expressions) {
          await(
              "data for " + expr,
              Duration.ofSeconds(60),
              () -> prometheus.query(expr).size() > 0,
              () -> "nothing yet");
        }
        await(
            "the rollback alert firing in Prometheus",
            Duration.ofSeconds(60),
            () ->
                prometheus
                        .query(
                            "ALERTS{alertname=\"OrdinalRolloutRolledBack\", alertstate=\"firing\","
                                + " statefulset=\"orders\"}")
                        .size()
                    > 0,
            () -> "no alert yet");
      }
    }
    assertEquals("", promtool("check", "rules", rules.toString()).error());
    Files.copy(
        Path.of("src", "test", "resources", "monitoring", "alerts-test.yaml"),
        tmp.resolve("alerts-test.yaml"));
    Promtool test = promtool("test", "rules", tmp.resolve("alerts-test.yaml").toString());
    assertEquals("", test.error(), test.output());
    assertTrue(test.output().contains("SUCCESS"), test.output());
  }

  /** The lease of namespace {@code standby}, held by an instance that is not an Ordinal. */
  private static Leadership heldBySomeoneElse(SimOrdinal ordinal) {
    Leadership lease =
        ordinal.cluster.leadership(
            "standby", Daemon.LEASE_NAME, "someone-else", LeaseTiming.DEFAULT);
    lease.start(() -> {}, () -> {});
    return lease;
  }

  /** An Ordinal that stands by: the lease of its namespace is held by someone else. */
  private Daemon standby(SimOrdinal ordinal) throws Exception {
    DaemonConfig config =
        new DaemonConfig(
            tmp.resolve("standby-data").toString(),
            "127.0.0.1:0",
            "1h",
            "standby",
            null,
            SimOrdinal.PROMETHEUS,
            null,
            List.of(
                new DaemonConfig.App(
                    "shop", ordinal.remote.fileUrl(), "main", "shop", "shop", false, null)));
    return Daemon.start(
        config,
        Duration.ofHours(1),
        new Daemon.Ports(ordinal.cluster, ordinal.prometheus, ordinal.clock, ordinal.clock.speed()),
        "standby-1");
  }

  /**
   * Every PromQL expression of the dashboard's panels, annotations and variables, with Grafana's
   * variables filled in as Grafana would for "All" and a 1 minute rate interval; {@code
   * label_values(X, label)} is Grafana's, so its selector X is what is checked.
   */
  static List<String> dashboardExpressions() throws IOException {
    JsonNode dashboard = JSON.readTree(MONITORING.resolve("ordinal-dashboard.json").toFile());
    List<String> found = new ArrayList<>();
    collect(dashboard.get("panels"), found);
    dashboard.get("annotations").get("list").forEach(a -> found.add(a.get("expr").asText()));
    for (JsonNode variable : dashboard.get("templating").get("list")) {
      JsonNode query = variable.path("query").path("query");
      if (query.isTextual()) {
        String q = query.asText();
        found.add(q.substring("label_values(".length(), q.lastIndexOf(',')));
      }
    }
    return found.stream()
        .map(
            e ->
                e.replace("$namespace", ".*")
                    .replace("$statefulset", ".*")
                    .replace("$__rate_interval", "1m")
                    .replace("$__range", "1h"))
        .toList();
  }

  private static void collect(JsonNode panels, List<String> into) {
    for (JsonNode panel : panels) {
      panel.path("targets").forEach(t -> into.add(t.get("expr").asText()));
      if (panel.has("panels")) {
        collect(panel.get("panels"), into);
      }
    }
  }

  static List<String> ruleExpressions(Path rules) throws IOException {
    List<String> found = new ArrayList<>();
    for (JsonNode group : YAML.readTree(rules.toFile()).get("groups")) {
      group.get("rules").forEach(r -> found.add(r.get("expr").asText()));
    }
    return found;
  }

  record Promtool(String output, String error) {}

  private Promtool promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PrometheusServer.PROMTOOL.toString()));
    command.addAll(List.of(args));
    Path out = tmp.resolve("promtool.out");
    Process p =
        new ProcessBuilder(command)
            .directory(tmp.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool " + String.join(" ", args) + " did not finish");
    }
    String output = Files.readString(out);
    return new Promtool(output, p.exitValue() == 0 ? "" : "exit " + p.exitValue() + ": " + output);
  }
}
