package dev.ordinal.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.TestStates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Argo CD health check for StatefulSets (manifests/argocd/argocd-cm-patch.yaml), run by a real
 * Lua interpreter (Debian's lua5.4) against StatefulSets as the API server returns them, with
 * rollout states as Ordinal writes them.
 */
class ArgoCdHealthCheckIT {
  private static final Path PATCH = Path.of("manifests/argocd/argocd-cm-patch.yaml");
  private static final String LUA = "lua5.4";
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path dir;
  Path script;

  @BeforeEach
  void extractTheScript() throws IOException {
    JsonNode patch = new ObjectMapper(new YAMLFactory()).readTree(PATCH.toFile());
    JsonNode lua = patch.path("data").path("resource.customizations.health.apps_StatefulSet");
    assertTrue(lua.isTextual(), PATCH + " has no health check for apps/StatefulSet");
    script = dir.resolve("health.lua");
    Files.writeString(script, lua.asText());
  }

  /** What the check says: status and message. */
  record Health(String status, String message) {}

  @Test
  void aRolloutInProgressIsProgressing() throws Exception {
    Health h = check(sts(3, 2, 3, 1, state(Phase.PROGRESSING, PhaseReason.CANARY_STEP, "")));
    assertEquals("Progressing", h.status(), h.message());
  }

  @Test
  void aPauseIsSuspendedAndSaysWhatItWaitsFor() throws Exception {
    Health h =
        check(
            sts(
                3,
                2,
                3,
                1,
                state(
                    Phase.PAUSED,
                    PhaseReason.MANUAL_GATE,
                    "waiting for 'ordinal promote orders/orders-db'")));
    assertEquals("Suspended", h.status());
    assertTrue(h.message().contains("waiting for 'ordinal promote orders/orders-db'"), h.message());
  }

  @Test
  void rollingBackAndRolledBackAreDegraded() throws Exception {
    assertEquals(
        "Degraded",
        check(sts(3, 3, 2, 1, state(Phase.DEGRADED, PhaseReason.ANALYSIS_FAILED, "error-rate")))
            .status());
    Health rolledBack =
        check(sts(3, 3, 3, 0, state(Phase.ROLLED_BACK, PhaseReason.ANALYSIS_FAILED, "x")));
    assertEquals("Degraded", rolledBack.status());
    assertTrue(rolledBack.message().contains("rolled back"), rolledBack.message());
  }

  @Test
  void healthyWhenEveryPodIsReadyAndProgressingUntilThen() throws Exception {
    String healthy = RolloutState.healthy("orders-db-1", T0).toJson();
    assertEquals("Healthy", check(sts(3, 3, 3, 3, healthy)).status());
    assertEquals("Progressing", check(sts(3, 3, 2, 3, healthy)).status());
  }

  @Test
  void withoutOrdinalStateTheBuiltInRulesApply() throws Exception {
    // A held template: partition == replicas, no pod to update yet. Argo CD calls that Healthy.
    assertEquals("Healthy", check(sts(3, 3, 3, 0, null)).status());
    // partition 1: two pods must be updated.
    assertEquals("Progressing", check(sts(3, 1, 3, 1, null)).status());
    assertEquals("Healthy", check(sts(3, 1, 3, 2, null)).status());
    assertEquals("Progressing", check(sts(3, 0, 1, 1, null)).status());
  }

  @Test
  void anUnreadableStateIsUnknown() throws Exception {
    assertEquals("Unknown", check(sts(3, 3, 3, 3, "{not json")).status());
  }

  private static String state(Phase phase, PhaseReason reason, String detail) {
    return TestStates.of(
            "orders-db-1",
            "orders-db-2",
            0,
            5,
            phase,
            reason,
            detail,
            false,
            Set.of(),
            List.of(),
            T0)
        .toJson();
  }

  /** A StatefulSet as the API server returns it, with the rollout state annotation if any. */
  private static Map<String, Object> sts(
      int replicas, int partition, int ready, int updated, String state) {
    Map<String, Object> annotations = new LinkedHashMap<>();
    if (state != null) {
      annotations.put("ordinal.dev/rollout-state", state);
      annotations.put("ordinal.dev/policy", "orders-db-canary");
    }
    return Map.of(
        "metadata",
        Map.of("name", "orders-db", "generation", 4, "annotations", annotations),
        "spec",
        Map.of(
            "replicas",
            replicas,
            "updateStrategy",
            Map.of("type", "RollingUpdate", "rollingUpdate", Map.of("partition", partition))),
        "status",
        Map.of(
            "observedGeneration",
            4,
            "replicas",
            replicas,
            "readyReplicas",
            ready,
            "updatedReplicas",
            updated,
            "currentRevision",
            "orders-db-1",
            "updateRevision",
            updated == replicas ? "orders-db-1" : "orders-db-2"));
  }

  /** Runs the check as Argo CD does: the object in the global {@code obj}, the result returned. */
  private Health check(Map<String, Object> obj) throws IOException, InterruptedException {
    Path harness = dir.resolve("harness.lua");
    Files.writeString(
        harness,
        "obj = "
            + lua(obj)
            + "\nlocal hs = dofile(arg[1])\nio.write(hs.status, \"\\t\", hs.message or \"\")\n");
    Process p;
    try {
      p =
          new ProcessBuilder(LUA, harness.toString(), script.toString())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      fail(
          LUA
              + " is not installed; the Argo CD health check is tested with Debian's Lua:"
              + " apt-get install lua5.4 (.ci/run does)");
      throw e;
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(LUA + " did not finish in 30 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    String[] parts = out.split("\t", 2);
    return new Health(parts[0], parts.length > 1 ? parts[1] : "");
  }

  /** A Lua table constructor for maps, numbers and strings. */
  private static String lua(Object value) {
    if (value instanceof Map<?, ?> map) {
      StringBuilder b = new StringBuilder("{");
      for (Map.Entry<?, ?> e : map.entrySet()) {
        b.append('[').append(lua(e.getKey())).append("] = ").append(lua(e.getValue())).append(", ");
      }
      return b.append('}').toString();
    }
    if (value instanceof Number n) {
      return n.toString();
    }
    String s = value.toString();
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
