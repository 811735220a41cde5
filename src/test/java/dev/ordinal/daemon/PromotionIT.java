package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.cli.CliRun;
import dev.ordinal.git.GitHttpServer;
import dev.ordinal.git.TestRemote;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.promotion.FakeGitHub;
import dev.ordinal.promotion.PromotionLinks;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promotion end to end: staging and prod are two apps of one repository served over smart HTTP, on
 * the real control plane, with GitHub in process. A verified staging rollout opens one pull request
 * with exactly the image change; merging it rolls prod out; a staging rollout that is rolled back
 * opens no promotion but a revert pull request; commit statuses follow each rollout.
 */
@ControlPlaneTest
class PromotionIT {
  private static final String TOKEN = "ghp_promotionItToken";
  private static final String POLICY =
      """
      apiVersion: ordinal.dev/v1alpha1
      kind: RolloutPolicy
      metadata: {name: canary}
      spec:
        progressDeadlineSeconds: 60
        steps:
          - canary: {replicas: 1}
          - pause: {duration: 1s}
      """;

  @TempDir Path tmp;

  @Test
  void verifiedStagingIsPromotedByPullRequestAndARollbackOpensARevert(
      ControlPlane plane, TestNamespace staging) throws Exception {
    KubernetesClient client = plane.client();
    String prod = staging.name() + "-prod";
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(prod).endMetadata().build())
        .create();
    try (TestRemote remote = TestRemote.create(tmp.resolve("config.git"));
        GitHttpServer http = GitHttpServer.start(remote.repository());
        FakeGitHub github = FakeGitHub.start("acme/config", TOKEN, b -> branch(remote, b) != null);
        PodSimulator stagingPods =
            new PodSimulator(client, staging.name(), Duration.ofMillis(100));
        PodSimulator prodPods = new PodSimulator(client, prod, Duration.ofMillis(100))) {
      String sts = Manifests.STS;
      ObjectId c1 = remote.commit("main", files(sts, sts));
      Files.writeString(tmp.resolve("token"), TOKEN + "\n");
      Path configFile = tmp.resolve("config.yaml");
      Files.writeString(
          configFile,
          String.format(
              """
              dataDir: %1$s
              listen: 127.0.0.1:0
              pollInterval: 1s
              ordinalNamespace: %2$s
              statusPage: https://ordinal.example/status
              commitAuthor: {name: Release Bot, email: bot@example.com}
              promotionInterval: 1s
              apps:
                - name: staging
                  repo: %3$s
                  revision: main
                  path: envs/staging
                  namespace: %2$s
                  forge: {type: github, api: %4$s, repository: acme/config, tokenFile: %5$s, revertPullRequests: true}
                - name: prod
                  repo: %3$s
                  revision: main
                  path: envs/prod
                  namespace: %6$s
                  forge: {type: github, api: %4$s, repository: acme/config, tokenFile: %5$s}
              promotions:
                - {name: staging-to-prod, from: staging, to: prod, requiredSoakTime: 2s}
              """,
              tmp.resolve("data"),
              staging.name(),
              http.url(),
              github.api(),
              tmp.resolve("token"),
              prod));
      DaemonConfig config = DaemonConfig.load(configFile);
      String identity = Daemon.defaultIdentity();
      KubeCluster kube = new KubeCluster(client, identity, Clock.systemUTC());
      try (Daemon daemon =
          Daemon.start(config, Duration.ofSeconds(1), Daemon.Ports.of(kube, config), identity)) {
        await(
            "both apps applied",
            Duration.ofSeconds(60),
            () -> get(client, staging.name()) != null && get(client, prod) != null,
            () -> "not yet");
        StatefulSets.awaitRolledOut(client, staging.name(), "db", Duration.ofSeconds(90));
        StatefulSets.awaitRolledOut(client, prod, "db", Duration.ofSeconds(90));

        // 1. A new image in staging rolls out, soaks, and is proposed to prod.
        ObjectId c2 = remote.commit("main", files(sts.replace("db:1", "db:2"), sts));
        await(
            "a promotion pull request",
            Duration.ofSeconds(120),
            () -> !github.pulls().isEmpty(),
            () -> annotations(client, staging.name()) + " " + github.requests);
        FakeGitHub.Pr pr = github.pulls().get(0);
        assertEquals("main", pr.base);
        assertTrue(pr.head.startsWith("ordinal/promote/staging-to-prod/db-"), pr.head);
        ObjectId proposed = branch(remote, pr.head);
        assertEquals(sts.replace("db:1", "db:2"), read(remote, proposed, "envs/prod/sts.yaml"));
        assertEquals(
            read(remote, c2, "envs/staging/sts.yaml"),
            read(remote, proposed, "envs/staging/sts.yaml"));
        assertTrue(pr.body.contains("Source commit: " + c2.name()), pr.body);
        assertEquals(
            List.of("pending", "success"),
            states(github, c2.name(), "ordinal/staging/db"),
            github.statuses.toString());
        assertTrue(
            github.statuses.stream()
                .allMatch(s -> "https://ordinal.example/status".equals(s.targetUrl())));

        CliRun listed =
            CliRun.of(
                "promotions",
                "list",
                "--config",
                configFile.toString(),
                "--kubeconfig",
                plane.kubeconfig().toString());
        assertEquals(0, listed.exitCode(), listed.err());
        assertTrue(
            listed.out().contains("staging-to-prod")
                && listed.out().contains(c2.name().substring(0, 12))
                && listed.out().contains("#1 open " + "https://github.com/acme/config/pull/1"),
            listed.out());

        // 2. Merging it (the branch fast-forwards) rolls prod out; still one pull request.
        remote.moveBranch("main", proposed);
        github.merged(pr.number, proposed.name());
        await(
            "prod on db:2",
            Duration.ofSeconds(120),
            () -> "registry.local/db:2".equals(image(client, prod)) && healthy(client, prod),
            () -> annotations(client, prod));
        await(
            "prod's statuses on the merge commit",
            Duration.ofSeconds(30),
            () -> states(github, proposed.name(), "ordinal/prod/db").contains("success"),
            github.statuses::toString);
        assertEquals(1, github.pulls().size(), "no second pull request for the same revision");
        await(
            "prod's rollout linked to the promotion",
            Duration.ofSeconds(60),
            () ->
                PromotionLinks.merged(get(client, prod).getMetadata().getAnnotations())
                    .filter(m -> m.rollout() != null)
                    .isPresent(),
            () -> annotations(client, prod));
        PromotionLinks.Merged merged =
            PromotionLinks.merged(get(client, prod).getMetadata().getAnnotations()).orElseThrow();
        assertEquals(
            new PromotionLinks.Source("staging-to-prod", "staging", "db", c2.name()),
            merged.source());
        assertEquals(pr.number, merged.pullRequest());
        assertEquals(proposed.name(), merged.mergeCommit());
        assertEquals(proposed.name(), merged.rollout().commit());
        assertTrue(
            PromotionLinks.pendings(get(client, prod).getMetadata().getAnnotations()).stream()
                .findFirst()
                .isEmpty(),
            "the watch ended with the merge");

        // 3. A staging image that crash-loops is rolled back: no promotion, a revert instead.
        stagingPods.behaveForImage("registry.local/db:3", PodSimulator.Behaviour.CRASH_LOOP);
        String prodNow = read(remote, proposed, "envs/prod/sts.yaml");
        ObjectId c3 = remote.commit("main", files(sts.replace("db:1", "db:3"), prodNow));
        await(
            "a revert pull request",
            Duration.ofSeconds(120),
            () -> github.pulls().size() == 2,
            () -> annotations(client, staging.name()) + " " + github.statuses);
        FakeGitHub.Pr revert = github.pulls().get(1);
        assertTrue(revert.head.startsWith("ordinal/revert/staging/db-"), revert.head);
        ObjectId reverted = branch(remote, revert.head);
        assertEquals(
            read(remote, c2, "envs/staging/sts.yaml"),
            read(remote, reverted, "envs/staging/sts.yaml"));
        assertEquals(prodNow, read(remote, reverted, "envs/prod/sts.yaml"));
        assertTrue(revert.body.contains(c3.name()), revert.body);
        assertTrue(states(github, c3.name(), "ordinal/staging/db").contains("failure"));
        assertTrue(
            github.pulls().stream()
                .noneMatch(
                    p ->
                        p.head.endsWith(c3.name().substring(0, 12))
                            && p.head.startsWith("ordinal/promote/")),
            "a rolled-back revision is never promoted");
        CliRun forced =
            CliRun.of(
                "promote-env",
                "staging",
                "prod",
                "--force",
                "--config",
                configFile.toString(),
                "--kubeconfig",
                plane.kubeconfig().toString());
        assertEquals(1, forced.exitCode(), forced.out() + forced.err());
        assertTrue(forced.out().contains("RolledBack, not Healthy"), forced.out());
        assertEquals(2, github.pulls().size(), "not even --force promotes a rolled-back revision");
      }
    } finally {
      client.namespaces().withName(prod).delete();
    }
  }

  private static Map<String, String> files(String staging, String prod) {
    return Map.of(
        "envs/staging/sts.yaml", staging,
        "envs/staging/policy.yaml", POLICY,
        "envs/prod/sts.yaml", prod,
        "envs/prod/policy.yaml", POLICY);
  }

  private static List<String> states(FakeGitHub github, String sha, String context) {
    return github.statuses.stream()
        .filter(s -> s.sha().equals(sha) && s.context().equals(context))
        .map(FakeGitHub.Status::state)
        .collect(Collectors.toList());
  }

  private static ObjectId branch(TestRemote remote, String name) {
    try {
      var ref = remote.repository().exactRef(Constants.R_HEADS + name);
      return ref == null ? null : ref.getObjectId();
    } catch (Exception e) {
      return null;
    }
  }

  private static String read(TestRemote remote, ObjectId commit, String path) throws Exception {
    Repository repo = remote.repository();
    try (RevWalk walk = new RevWalk(repo)) {
      TreeWalk tw = TreeWalk.forPath(repo, path, walk.parseCommit(commit).getTree());
      return new String(repo.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
    }
  }

  private static StatefulSet get(KubernetesClient client, String ns) {
    return client.apps().statefulSets().inNamespace(ns).withName("db").get();
  }

  private static String image(KubernetesClient client, String ns) {
    return get(client, ns).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static boolean healthy(KubernetesClient client, String ns) {
    StatefulSet s = get(client, ns);
    return s.getMetadata().getAnnotations().getOrDefault(Annotations.STATE, "").contains("Healthy")
        && Integer.valueOf(3).equals(s.getStatus().getUpdatedReplicas())
        && Integer.valueOf(3).equals(s.getStatus().getReadyReplicas());
  }

  private static String annotations(KubernetesClient client, String ns) {
    StatefulSet s = get(client, ns);
    return s == null ? "none" : String.valueOf(s.getMetadata().getAnnotations());
  }
}
