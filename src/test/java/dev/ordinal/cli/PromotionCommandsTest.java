package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ordinal promotions list} without a cluster to answer: the config is checked first, and
 * nothing is printed on stdout unless the whole table is. {@code PromotionIT} lists a real one.
 */
class PromotionCommandsTest {
  @TempDir Path tmp;

  private static final String APPS =
      """
      apps:
        - {name: staging, repo: "https://git.example/acme/config.git", namespace: staging}
        - {name: prod, repo: "https://git.example/acme/config.git", namespace: prod}
      """;

  private CliRun list(String config) throws Exception {
    Path file = Files.writeString(tmp.resolve("config.yaml"), config);
    Path kubeconfig = NowhereKubeconfig.write(tmp.resolve("kubeconfig.yaml"));
    return CliRun.of(
        "promotions", "list", "--config", file.toString(), "--kubeconfig", kubeconfig.toString());
  }

  /** The user's own cache, never the shared temporary folder another user could own first. */
  @Test
  void theCommandLineClonesIntoTheUsersCache() {
    assertEquals(
        Path.of("/home/ada/.cache/ordinal/promotion-git"),
        PromotionCommands.gitCache(java.util.Map.of(), "/home/ada"));
    assertEquals(
        Path.of("/xdg/ordinal/promotion-git"),
        PromotionCommands.gitCache(java.util.Map.of("XDG_CACHE_HOME", "/xdg"), "/home/ada"));
    // a relative XDG_CACHE_HOME is invalid by the spec, and would depend on the working folder
    assertEquals(
        Path.of("/home/ada/.cache/ordinal/promotion-git"),
        PromotionCommands.gitCache(java.util.Map.of("XDG_CACHE_HOME", "cache"), "/home/ada"));
  }

  @Test
  void anInvalidConfigIsReportedBeforeTheClusterIsAsked() throws Exception {
    CliRun run = list(APPS + "promotions: [{name: s-to-p, from: staging, to: nowhere}]\n");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("nowhere"), run.err());
    assertTrue(!run.err().contains("cannot reach the cluster"), run.err());
    assertEquals("", run.out());
  }

  @Test
  void aConfigWithoutPromotionsSaysSoInsteadOfAnEmptyTable() throws Exception {
    CliRun run = list(APPS);
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("", run.out());
    assertTrue(
        run.err().contains("config.yaml defines no promotions (promotions: in the config"),
        run.err());
  }

  @Test
  void anUnreachableClusterLeavesNoHalfTable() throws Exception {
    CliRun run =
        list(
            APPS.replace("namespace: prod}", "namespace: prod, revision: main}")
                + "promotions: [{name: s-to-p, from: staging, to: prod, mode: push}]\n");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("cannot reach the cluster at "), run.err());
    assertEquals("", run.out());
  }
}
