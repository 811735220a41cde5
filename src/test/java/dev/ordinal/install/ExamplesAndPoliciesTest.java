package dev.ordinal.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.ManifestObject;
import dev.ordinal.manifest.RolloutPolicy;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The config repos in examples/ and the files in policies/ load as the daemon loads them, each on
 * its own, with the Prometheus servers of the config manifests/configmap.yaml ships, and say what
 * they are.
 */
class ExamplesAndPoliciesTest {
  @TempDir Path tmp;

  private static ManifestLoader loader() throws IOException {
    return new ManifestLoader(ConditionGrammar.INSTANCE, ShippedConfig.load().analysisTrust());
  }

  private static DesiredState load(Path dir) throws IOException {
    LoadResult result = loader().load(LocalDirectory.read(dir));
    if (result instanceof LoadResult.Invalid invalid) {
      throw new AssertionError(dir + " is invalid:\n" + invalid.errors());
    }
    return ((LoadResult.Loaded) result).state();
  }

  @ParameterizedTest
  @ValueSource(strings = {"staging", "prod"})
  void eachOrdersDbEnvironmentIsAReplicatedDatabaseJudgedOnItsOwnMetrics(String env)
      throws IOException {
    DesiredState state = load(Path.of("examples/orders-db/envs", env));
    List<StatefulSet> sets =
        state.objects().stream()
            .map(ManifestObject::resource)
            .filter(StatefulSet.class::isInstance)
            .map(StatefulSet.class::cast)
            .toList();
    assertEquals(1, sets.size());
    StatefulSet sts = sets.get(0);
    assertTrue(sts.getSpec().getReplicas() >= 2, "a primary and at least one standby");
    assertEquals(
        sts.getSpec().getReplicas(),
        sts.getSpec().getUpdateStrategy().getRollingUpdate().getPartition(),
        "partition rests at replicas");
    assertFalse(sts.getSpec().getVolumeClaimTemplates().isEmpty(), "data on claims");
    assertTrue(
        sts.getSpec().getTemplate().getSpec().getContainers().stream()
            .anyMatch(c -> c.getImage().contains("postgres-exporter")),
        "the exporter the analysis reads");
    assertTrue(
        state.objects().stream()
            .map(ManifestObject::resource)
            .filter(Service.class::isInstance)
            .map(Service.class::cast)
            .anyMatch(s -> "None".equals(s.getSpec().getClusterIP())),
        "the headless Service of spec.serviceName");

    RolloutPolicy policy = state.policies().get("orders-db-canary");
    assertTrue(policy != null, state.policies().keySet().toString());
    for (AnalysisTemplate template : state.templates().values()) {
      for (AnalysisTemplate.Metric metric : template.metrics()) {
        String query = ((AnalysisTemplate.Prometheus) metric.provider()).query();
        assertFalse(query.contains("http_"), template.name() + ": no HTTP stand-ins: " + query);
      }
    }
    assertEquals(
        List.of("replication-lag", "query-errors", "statement-latency", "pod-restarts"),
        List.copyOf(state.templates().keySet()));
  }

  @Test
  void theMinimalExampleLoads() throws IOException {
    assertEquals(1, load(Path.of("examples/minimal")).statefulSets().size());
  }

  static Stream<Path> policyFiles() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("policies"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("policyFiles")
  void everyPolicyFileStartsWithWhatItIsFor(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    assertTrue(lines.get(0).startsWith("# "), file + " starts with a header comment");
    assertTrue(
        lines.stream().takeWhile(l -> l.startsWith("#")).count() >= 3,
        file + ": a header of a few lines");
  }

  /**
   * Each file validates on its own, or, for a policy that names templates it does not hold, with
   * the templates of policies/ beside it.
   */
  @ParameterizedTest
  @MethodSource("policyFiles")
  void everyPolicyFileValidates(Path file) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("policy"));
    Files.copy(file, dir.resolve(file.getFileName()));
    if (loader().load(LocalDirectory.read(dir)) instanceof LoadResult.Loaded) {
      return;
    }
    for (Path other : policyFiles().toList()) {
      if (!other.equals(file) && Files.readString(other).contains("kind: AnalysisTemplate")) {
        Files.copy(other, dir.resolve(other.getFileName()));
      }
    }
    assertFalse(load(dir).policies().isEmpty(), file + " holds a RolloutPolicy");
  }
}
