package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.git.GitHttpServer;
import dev.ordinal.git.TestRemote;
import dev.ordinal.plan.PlanOptions;
import dev.ordinal.promotion.FakeGitHub;
import dev.ordinal.promotion.PromotionLinks;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutSource;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.ServiceAccountTokens;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ordinal promote-env} and {@code ordinal promotions list} with no daemon, on the real
 * control plane: two rules between the same two apps are both run (one waits out its soak, the
 * other opens its pull request), the pull request is recorded on the target as the daemon records
 * its own, {@code --promotion} picks one rule, and text other people wrote into annotations is
 * escaped before it reaches the terminal.
 */
@ControlPlaneTest
class PromoteEnvIT {
  private static final String TOKEN = "ghp_promoteEnvItToken";

  @TempDir Path tmp;

  @Test
  void everyRuleBetweenTheAppsRunsAndItsPullRequestIsRecordedOnTheTarget(
      ControlPlane plane, TestNamespace staging) throws Exception {
    KubernetesClient client = plane.client();
    String prod = staging.name() + "-prod";
    // The command line clones into the user's cache: this test's, not the machine's.
    String home = System.getProperty("user.home");
    System.setProperty("user.home", tmp.resolve("home").toString());
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(prod).endMetadata().build())
        .create();
    try (TestRemote remote = TestRemote.create(tmp.resolve("config.git"));
        GitHttpServer http = GitHttpServer.start(remote.repository());
        FakeGitHub github = FakeGitHub.start("acme/config", TOKEN, b -> exists(remote, b))) {
      String sts = Manifests.STS.replace("replicas: 3", "replicas: 0");
      ObjectId commit =
          remote.commit(
              "main",
              Map.of(
                  "envs/staging/sts.yaml",
                  sts.replace("db:1", "db:2"),
                  "envs/staging/app.conf",
                  "max_connections = 200\n",
                  "envs/prod/sts.yaml",
                  sts,
                  "envs/prod/app.conf",
                  "max_connections = 100\n"));
      Files.writeString(tmp.resolve("token"), TOKEN + "\n");
      Path configFile = tmp.resolve("config.yaml");
      Files.writeString(
          configFile,
          String.format(
              """
              dataDir: %1$s
              commitAuthor: {name: Release Bot, email: bot@example.com}
              apps:
                - {name: staging, repo: %2$s, revision: main, path: envs/staging, namespace: %3$s}
                - name: prod
                  repo: %2$s
                  revision: main
                  path: envs/prod
                  namespace: %4$s
                  forge: {type: github, api: %5$s, repository: acme/config, tokenFile: %6$s}
              promotions:
                - {name: images-to-prod, from: staging, to: prod, requiredSoakTime: 1h}
                - {name: files-to-prod, from: staging, to: prod, carry: files, files: [app.conf]}
              """,
              tmp.resolve("data"),
              http.url(),
              staging.name(),
              prod,
              github.api(),
              tmp.resolve("token")));
      String kubeconfig = plane.kubeconfig().toString();

      // No StatefulSet of the source app yet: both commands say so, rather than nothing.
      CliRun none = promoteEnv(configFile, kubeconfig);
      assertEquals(0, none.exitCode(), none.out() + none.err());
      assertEquals("", none.out());
      assertTrue(
          none.err().contains("no StatefulSet of app 'staging' (label ordinal.dev/app=staging"),
          none.err());
      CliRun empty =
          CliRun.of(
              "promotions", "list", "--config", configFile.toString(), "--kubeconfig", kubeconfig);
      assertEquals(0, empty.exitCode(), empty.err());
      assertTrue(empty.err().contains("no StatefulSet of any promotion's source app"), empty.err());

      apply(client, staging.name(), "staging", sts.replace("db:1", "db:2"), healthy(commit));
      apply(client, prod, "prod", sts, null);

      // Both rules run: the first waits out its soak, the second opens its pull request.
      CliRun both = promoteEnv(configFile, kubeconfig);
      assertEquals(1, both.exitCode(), both.out() + both.err());
      List<String> lines = both.out().lines().toList();
      assertEquals(2, lines.size(), both.out());
      assertTrue(lines.get(0).startsWith("images-to-prod/db: waiting until "), both.out());
      assertTrue(
          lines.get(1).startsWith("files-to-prod/db: opened pull request #1 ")
              && lines.get(1).endsWith("; recorded on the target"),
          both.out());
      assertEquals(1, github.pulls().size());
      assertTrue(
          github.pulls().get(0).head.startsWith("ordinal/promote/files-to-prod/db-"),
          github.pulls().get(0).head);
      PromotionLinks.Pending pending = pending(client, prod);
      assertEquals(
          new PromotionLinks.Source("files-to-prod", "staging", "db", commit.name()),
          pending.source());
      assertEquals(1, pending.pullRequest());

      // One rule by name: the same pull request, found and not recorded twice.
      CliRun one = promoteEnv(configFile, kubeconfig, "--promotion", "files-to-prod");
      assertEquals(0, one.exitCode(), one.out() + one.err());
      assertTrue(
          one.out().startsWith("files-to-prod/db: pull request #1 ")
              && one.out().strip().endsWith(" open"),
          one.out());
      assertEquals(1, github.pulls().size());
      assertEquals(pending, pending(client, prod));

      CliRun unknown = promoteEnv(configFile, kubeconfig, "--promotion", "files-to-staging");
      assertEquals(2, unknown.exitCode(), unknown.err());
      assertTrue(
          unknown
              .err()
              .contains(
                  "no promotion named 'files-to-staging' from 'staging' to 'prod'; the"
                      + " promotions between them: images-to-prod, files-to-prod"),
          unknown.err());

      // --force opens the waiting rule's pull request too: both are watched on the one target.
      CliRun forced = promoteEnv(configFile, kubeconfig, "--force");
      assertEquals(0, forced.exitCode(), forced.out() + forced.err());
      assertTrue(
          forced.out().contains("images-to-prod/db: opened pull request #2 ")
              && forced.out().contains("files-to-prod/db: pull request #1 "),
          forced.out());
      assertEquals(2, github.pulls().size());
      assertEquals(
          List.of("files-to-prod", "images-to-prod"),
          PromotionLinks.pendings(annotations(client, prod)).stream()
              .map(p -> p.source().promotion())
              .toList());
      CliRun both2 =
          CliRun.of(
              "promotions", "list", "--config", configFile.toString(), "--kubeconfig", kubeconfig);
      assertTrue(both2.out().contains("#2 open") && both2.out().contains("#1 open"), both2.out());

      // A user who may read StatefulSets but not patch them: the pull request is opened, the
      // line says why it is not recorded, and the next rule still runs.
      ServiceAccountTokens.createAccount(client, staging.name(), "reader");
      for (String ns : List.of(staging.name(), prod)) {
        ServiceAccountTokens.grant(
            client,
            staging.name(),
            "reader",
            ns,
            List.of("apps"),
            List.of("statefulsets"),
            List.of("get", "list", "watch"));
      }
      Path readOnly =
          ServiceAccountTokens.kubeconfig(
              plane, ServiceAccountTokens.request(client, staging.name(), "reader"), tmp);
      annotate(client, prod, PromotionLinks.PENDING, null);
      CliRun reader = promoteEnv(configFile, readOnly.toString());
      assertEquals(1, reader.exitCode(), reader.out() + reader.err());
      List<String> read = reader.out().lines().toList();
      assertEquals(2, read.size(), reader.out() + reader.err());
      assertTrue(read.get(0).startsWith("images-to-prod/db: waiting until "), reader.out());
      assertTrue(
          read.get(1).startsWith("files-to-prod/db: pull request #1 ")
              && read.get(1).contains("; not recorded on the target: ")
              && read.get(1).contains("403"),
          reader.out());
      assertEquals(2, github.pulls().size());

      // What the target records was written by others: escaped in the list, never raw.
      String forged =
          "{\"source\":{\"promotion\":\"files-to-prod\",\"app\":\"st\\u001b[2Jaging\","
              + "\"statefulSet\":\"db\",\"commit\":\""
              + commit.name()
              + "\"},\"pullRequest\":1,\"url\":\"u\",\"head\":\"h\"}";
      annotate(client, prod, PromotionLinks.PENDING, forged);
      CliRun listed =
          CliRun.of(
              "promotions", "list", "--config", configFile.toString(), "--kubeconfig", kubeconfig);
      assertEquals(0, listed.exitCode(), listed.err());
      assertFalse(listed.out().contains("\u001b"), listed.out());
      assertTrue(listed.out().contains("st\\x1b[2Jaging"), listed.out());
    } finally {
      System.setProperty("user.home", home);
      client.namespaces().withName(prod).delete();
    }
  }

  /**
   * Sets annotation {@code key} of StatefulSet db in {@code ns} to {@code value}, or removes it.
   */
  private static void annotate(KubernetesClient client, String ns, String key, String value) {
    client
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .withName("db")
        .edit(
            s -> {
              if (value == null) {
                s.getMetadata().getAnnotations().remove(key);
              } else {
                s.getMetadata().getAnnotations().put(key, value);
              }
              return s;
            });
  }

  /** {@code ordinal promote-env staging prod} with this config and kubeconfig, and {@code more}. */
  private static CliRun promoteEnv(Path config, String kubeconfig, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "promote-env",
                "staging",
                "prod",
                "--config",
                config.toString(),
                "--kubeconfig",
                kubeconfig));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** A rollout state as the daemon leaves it when a verified rollout of {@code commit} ends. */
  private static String healthy(ObjectId commit) {
    Instant at = Instant.now().minusSeconds(60);
    return new RolloutState(
            new RolloutState.Revisions("db-2", "db-2", 1),
            new RolloutSource("staging", commit.name()),
            new RolloutState.StepPosition(2, 2, at),
            new RolloutState.Status(Phase.HEALTHY, PhaseReason.NONE, "rollout complete"),
            new RolloutState.Progress(at, at, 0),
            false,
            new RolloutState.Memory(Set.of(), Set.of(), List.of()),
            null,
            null)
        .toJson();
  }

  private static void apply(
      KubernetesClient client, String ns, String app, String yaml, String state) {
    StatefulSet sts = Serialization.unmarshal(yaml, StatefulSet.class);
    sts.getMetadata().setNamespace(ns);
    sts.getMetadata().getLabels().put(PlanOptions.APP_LABEL, app);
    if (state != null) {
      sts.getMetadata().getAnnotations().put(Annotations.STATE, state);
    }
    client.apps().statefulSets().inNamespace(ns).resource(sts).create();
  }

  private static boolean exists(TestRemote remote, String branch) {
    try {
      return remote.repository().exactRef(Constants.R_HEADS + branch) != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static Map<String, String> annotations(KubernetesClient client, String ns) {
    return client
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .withName("db")
        .get()
        .getMetadata()
        .getAnnotations();
  }

  private static PromotionLinks.Pending pending(KubernetesClient client, String ns) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(ns).withName("db").get();
    return PromotionLinks.pendings(sts.getMetadata().getAnnotations()).stream()
        .findFirst()
        .orElseThrow();
  }
}
