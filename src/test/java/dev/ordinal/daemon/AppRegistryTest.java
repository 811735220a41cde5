package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two apps may each define an AnalysisTemplate of one name; a rollout uses its own app's. */
class AppRegistryTest {
  record App(String app, String namespace, Optional<DesiredState> lastApplied)
      implements AppRegistry.AppView {}

  @TempDir Path tmp;

  private DesiredState app(String dir, String threshold, boolean withStatefulSet)
      throws IOException {
    Path root = Files.createDirectories(tmp.resolve(dir));
    Files.writeString(
        root.resolve("template.yaml"),
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: error-rate}
        spec:
          metrics:
            - name: errors
              successCondition: "result[0] < THRESHOLD"
              provider:
                prometheus: {address: "http://prometheus:9090", query: "x"}
        """
            .replace("THRESHOLD", threshold));
    if (withStatefulSet) {
      Files.writeString(root.resolve("sts.yaml"), Manifests.STS);
      Files.writeString(root.resolve("policy.yaml"), Manifests.POLICY);
    }
    return ((LoadResult.Loaded) Loaders.forFixtures().load(LocalDirectory.read(root))).state();
  }

  @Test
  void theAppThatAppliedTheStatefulSetWinsThenItsNamespaceThenAnyApp() throws IOException {
    var other = new App("other", "prod", Optional.of(app("other", "0.5", false)));
    var owner = new App("owner", "prod", Optional.of(app("owner", "0.01", true)));
    var elsewhere = new App("elsewhere", "staging", Optional.of(app("elsewhere", "0.9", false)));
    RolloutContext db = new RolloutContext("prod", "db", "db-2", "db-1", List.of("db-2"));

    assertEquals(
        "result[0] < 0.01",
        new AppRegistry(List.of(other, owner, elsewhere))
            .template("error-rate", db)
            .orElseThrow()
            .metrics()
            .get(0)
            .successCondition()
            .orElseThrow());
    assertEquals(
        "result[0] < 0.9",
        new AppRegistry(List.of(elsewhere))
            .template("error-rate", db)
            .orElseThrow()
            .metrics()
            .get(0)
            .successCondition()
            .orElseThrow());
    assertEquals(Optional.empty(), new AppRegistry(List.of(owner)).template("latency", db));
  }
}
