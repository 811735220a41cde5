package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.git.TestRemote;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  private static final String STS =
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
      spec:
        replicas: 3
        serviceName: db
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec:
            containers:
              - name: db
                image: postgres:16.4
      """;

  @TempDir Path tmp;

  @Test
  void validFolderExitsZero() throws IOException {
    Files.writeString(tmp.resolve("db.yaml"), STS);
    CliRun run = CliRun.of("validate", tmp.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("valid: 1 objects (1 StatefulSets)"), run.out());
  }

  @Test
  void invalidFolderExitsOneWithFileAndLine() throws IOException {
    Files.writeString(tmp.resolve("db.yaml"), STS.replace("replicas: 3", "replicas: three"));
    CliRun run = CliRun.of("validate", tmp.toString());
    assertEquals(1, run.exitCode());
    assertTrue(run.err().startsWith("db.yaml:6: spec.replicas"), run.err());
  }

  @Test
  void examplesShippedWithOrdinalAreValid() {
    CliRun run =
        CliRun.of(
            "validate",
            "examples/minimal",
            "examples/orders-db/envs/staging",
            "examples/orders-db/envs/prod",
            "policies");
    assertEquals(0, run.exitCode(), run.err());
  }

  @Test
  void noSourceIsAUsageErrorWithExitTwo() {
    CliRun run = CliRun.of("validate");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("Usage: ordinal validate"), run.err());
  }

  @Test
  void unknownCommandIsAUsageError() {
    assertEquals(2, CliRun.of("frobnicate").exitCode());
  }

  @Test
  void repositoryAtARevisionAndPath() throws IOException {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"))) {
      var good =
          remote.commit("main", Map.of("envs/prod/db.yaml", STS, "README.md", "not a manifest"));
      remote.commit("main", Map.of("envs/prod/db.yaml", STS.replace("kind: StatefulSet\n", "")));

      CliRun atHead =
          CliRun.of(
              "validate",
              "--repo",
              remote.fileUrl(),
              "--path",
              "envs/prod",
              "--data-dir",
              tmp.resolve("cache").toString());
      assertEquals(1, atHead.exitCode(), atHead.out());
      assertTrue(atHead.err().contains("envs/prod/db.yaml:1: kind"), atHead.err());

      CliRun atGood =
          CliRun.of(
              "validate",
              "--repo",
              remote.fileUrl(),
              "--revision",
              good.name(),
              "--path",
              "envs/prod",
              "--data-dir",
              tmp.resolve("cache").toString());
      assertEquals(0, atGood.exitCode(), atGood.err());
    }
  }

  @Test
  void unreachableRepositoryExitsTwo() {
    CliRun run =
        CliRun.of(
            "validate",
            "--repo",
            tmp.resolve("missing.git").toUri().toString(),
            "--data-dir",
            tmp.resolve("c").toString());
    assertEquals(2, run.exitCode());
    assertTrue(!run.err().isBlank());
  }
}
