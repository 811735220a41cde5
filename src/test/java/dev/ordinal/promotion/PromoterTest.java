package dev.ordinal.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.git.GitCredentials;
import dev.ordinal.git.GitHttpServer;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitWorkspace;
import dev.ordinal.git.TestRemote;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutSource;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.VerdictRecord;
import dev.ordinal.testkit.Manifests;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Promotions and reverts pushed over real smart HTTP, pull requests on an in-process GitHub. */
class PromoterTest {
  private static final String TOKEN = "ghp_promoterTestToken";
  private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");
  private static final String PROD =
      """
      # prod: five replicas, keep this comment
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db, annotations: {ordinal.dev/policy: canary}}
      spec:
        replicas: 5
        template:
          spec:
            containers:
              - name: db
                image: registry.local/db:1   # bumped by promotions
              - name: exporter
                image: registry.local/exporter:1
      """;
  private static final String STAGING =
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        replicas: 1
        template:
          spec:
            containers:
              - {name: db, image: registry.local/db:1}
              - {name: exporter, image: registry.local/exporter:1}
      """;

  @TempDir Path tmp;
  private TestRemote remote;
  private GitHttpServer http;
  private FakeGitHub github;
  private Promoter.Rule rule;
  private Environment staging;

  @BeforeEach
  void start() throws Exception {
    remote = TestRemote.create(tmp.resolve("config.git"));
    remote.commit("main", Map.of("envs/staging/sts.yaml", STAGING, "envs/prod/sts.yaml", PROD));
    http = GitHttpServer.start(remote.repository());
    github = FakeGitHub.startFor("acme/config", TOKEN, remote.repository());
    Forge forge =
        new GitHubForge(
            URI.create(github.api()),
            "acme/config",
            new ForgeCredential.Token(TOKEN),
            new ForgeClient(
                HttpClient.newHttpClient(), d -> {}, Clock.systemUTC(), Duration.ofSeconds(5)));
    staging =
        new Environment(
            "staging",
            http.url(),
            "main",
            "envs/staging",
            "staging",
            GitCredentials.none(),
            Optional.of(forge),
            true,
            true);
    Environment prod =
        new Environment(
            "prod",
            http.url(),
            "main",
            "envs/prod",
            "prod",
            GitCredentials.none(),
            Optional.of(forge),
            true,
            false);
    rule =
        new Promoter.Rule(
            "staging-to-prod", staging, prod, false, Duration.ofMinutes(5), List.of());
  }

  @AfterEach
  void stop() throws Exception {
    github.close();
    http.close();
    remote.close();
  }

  private Promoter promoter(String dir) {
    return new Promoter(
        new GitRepoCache(tmp.resolve(dir)),
        1 << 26,
        new GitWorkspace.Authorship(
            "Release Bot", "bot@example.com", "Ordinal", "ordinal@example.com"),
        new ManifestLoader(ConditionGrammar.INSTANCE));
  }

  private static StatefulSet sts(RolloutState state) {
    StatefulSet sts = new StatefulSet();
    Map<String, String> annotations = new HashMap<>();
    annotations.put(Annotations.STATE, state.toJson());
    sts.setMetadata(
        new ObjectMetaBuilder()
            .withName("db")
            .withNamespace("staging")
            .withAnnotations(annotations)
            .build());
    return sts;
  }

  private static RolloutState verified(String commit, Phase phase) {
    return new RolloutState(
        new RolloutState.Revisions("db-2", phase == Phase.HEALTHY ? "db-2" : "db-3", 2),
        new RolloutSource("staging", commit),
        new RolloutState.StepPosition(2, 2, NOW),
        new RolloutState.Status(
            phase,
            phase == Phase.HEALTHY ? PhaseReason.NONE : PhaseReason.ANALYSIS_FAILED,
            phase == Phase.HEALTHY ? "" : "error-rate: 0.4 > 0.05 (failure limit 0)"),
        new RolloutState.Progress(NOW.minusSeconds(60), NOW, 1),
        false,
        new RolloutState.Memory(
            Set.of(),
            Set.of(),
            List.of(new VerdictRecord(2, "error-rate", AnalysisVerdict.SUCCESSFUL, false))));
  }

  private String file(ObjectId commit, String path) throws Exception {
    Repository repo = remote.repository();
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit c = walk.parseCommit(commit);
      TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree());
      return tw == null
          ? null
          : new String(repo.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Commits staging with its db image at {@code tag}, prod unchanged. */
  private ObjectId stagingAt(String tag) throws Exception {
    return remote.commit(
        "main",
        Map.of("envs/staging/sts.yaml", STAGING.replace("db:1", tag), "envs/prod/sts.yaml", PROD));
  }

  private ObjectId branch(String name) throws Exception {
    return remote.repository().exactRef(Constants.R_HEADS + name).getObjectId();
  }

  @Test
  void opensOnePullRequestWithExactlyTheImageChangeAndNeverASecondOneEvenAfterARestart()
      throws Exception {
    ObjectId c2 = stagingAt("db:2");
    StatefulSet source = sts(verified(c2.name(), Phase.HEALTHY));

    assertInstanceOf(
        Gates.Gate.Wait.class,
        assertInstanceOf(
                Promoter.Outcome.Gated.class, promoter("a").promote(rule, source, NOW, false))
            .gate());
    Promoter.Outcome outcome = promoter("a").promote(rule, source, NOW.plusSeconds(300), false);
    Promoter.Outcome.Opened opened =
        assertInstanceOf(Promoter.Outcome.Opened.class, outcome, outcome.toString());

    String head = Promoter.branch(rule, "db", c2.name());
    ObjectId pushed = branch(head);
    assertEquals(opened.commit(), pushed.name());
    assertEquals(PROD.replace("db:1   #", "db:2   #"), file(pushed, "envs/prod/sts.yaml"));
    assertEquals(file(c2, "envs/staging/sts.yaml"), file(pushed, "envs/staging/sts.yaml"));
    try (RevWalk walk = new RevWalk(remote.repository())) {
      RevCommit commit = walk.parseCommit(pushed);
      assertEquals(c2, commit.getParent(0), "on top of the target branch");
      assertEquals(
          new PersonIdent("Release Bot", "bot@example.com").getName(),
          commit.getAuthorIdent().getName());
      assertEquals("ordinal@example.com", commit.getCommitterIdent().getEmailAddress());
      assertTrue(
          commit.getFullMessage().contains("Source commit: " + c2.name()), commit.getFullMessage());
      assertTrue(
          commit.getFullMessage().contains("step-2 error-rate SUCCESSFUL"),
          commit.getFullMessage());
      assertTrue(
          commit.getFullMessage().contains("db: registry.local/db:1 -> registry.local/db:2"));
      assertTrue(
          commit.getFullMessage().contains("exporter: registry.local/exporter:1 (unchanged)"));
    }
    FakeGitHub.Pr pr = github.pulls().get(0);
    assertEquals(head, pr.head);
    assertEquals("main", pr.base);
    assertTrue(pr.body.contains("Source commit: " + c2.name()), pr.body);

    int calls = github.requests.size();
    // A restarted Ordinal (fresh memory, fresh clone) finds the pull request and opens none.
    Promoter restarted = promoter("b");
    assertInstanceOf(
        Promoter.Outcome.Exists.class,
        restarted.promote(rule, source, NOW.plusSeconds(900), false));
    assertInstanceOf(
        Promoter.Outcome.Exists.class,
        restarted.promote(rule, source, NOW.plusSeconds(901), false));
    assertEquals(calls + 1, github.requests.size(), "settled: the second check costs no call");
    assertEquals(1, github.pulls().size());
  }

  @Test
  void thePullRequestBodyShowsTheRolloutPlanOfTheTargetUnderItsPolicy() throws Exception {
    String sts = Manifests.STS.replace("replicas: 3", "replicas: 5");
    String policy =
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: canary}
        spec:
          steps: [{canary: {replicas: 1}}, {pause: {duration: 5m}}, {canary: {percent: 60}}]
        """;
    remote.commit(
        "main",
        Map.of(
            "envs/staging/sts.yaml",
            STAGING.replace("db:1", "db:2"),
            "envs/prod/sts.yaml",
            sts,
            "envs/prod/policy.yaml",
            policy));
    ObjectId c2 = branch("main");

    Promoter.Outcome outcome =
        promoter("a")
            .promote(rule, sts(verified(c2.name(), Phase.HEALTHY)), NOW.plusSeconds(300), false);

    assertInstanceOf(Promoter.Outcome.Opened.class, outcome, outcome.toString());
    String body = github.pulls().get(0).body;
    String plan =
        """
        ## Rollout plan for app prod

        Rollout plan for StatefulSet prod/db (policy canary):

        ### Rollout plan for prod/db (5 replicas, RollingUpdate)

        1. canary 1 pod: db-4 → new revision (partition 5 → 4)
        2. pause 5m
        3. canary 60% (3 pods): db-3..db-2 → new revision (partition 4 → 2)
        4. full promotion: db-1..db-0 (partition → 0)
        """;
    assertTrue(body.contains(plan), body);
    assertTrue(body.indexOf(plan) > body.indexOf("Source commit: " + c2.name()), body);
  }

  @Test
  void skipsWhenTheTargetAlreadyRunsTheImagesAndClosesAStalePullRequestForANewerCommit()
      throws Exception {
    ObjectId c1 = branch("main");
    Promoter promoter = promoter("a");
    Promoter.Outcome same =
        promoter.promote(
            rule, sts(verified(c1.name(), Phase.HEALTHY)), NOW.plusSeconds(300), false);
    assertInstanceOf(Promoter.Outcome.Skipped.class, same, same.toString());
    assertTrue(github.pulls().isEmpty());

    ObjectId c2 = stagingAt("db:2");
    assertInstanceOf(
        Promoter.Outcome.Opened.class,
        promoter.promote(
            rule, sts(verified(c2.name(), Phase.HEALTHY)), NOW.plusSeconds(300), false));
    ObjectId c3 = stagingAt("db:3");
    Promoter.Outcome.Opened newer =
        assertInstanceOf(
            Promoter.Outcome.Opened.class,
            promoter.promote(
                rule, sts(verified(c3.name(), Phase.HEALTHY)), NOW.plusSeconds(300), false));
    assertEquals(List.of(1), newer.closed());
    assertEquals("closed", github.pulls().get(0).state);
    assertEquals("open", github.pulls().get(1).state);
  }

  @Test
  void pushModeCommitsStraightToTheTargetBranch() throws Exception {
    Promoter.Rule push =
        new Promoter.Rule("p", rule.from(), rule.to(), true, Duration.ZERO, List.of());
    ObjectId c2 = stagingAt("db:2");
    Promoter.Outcome.Pushed pushed =
        assertInstanceOf(
            Promoter.Outcome.Pushed.class,
            promoter("a").promote(push, sts(verified(c2.name(), Phase.HEALTHY)), NOW, false));
    assertEquals(pushed.commit(), branch("main").name());
    assertTrue(file(branch("main"), "envs/prod/sts.yaml").contains("registry.local/db:2"));
    assertTrue(github.requests.isEmpty(), "push mode needs no forge");
  }

  @Test
  void aRolledBackCommitGetsOneRevertPullRequestForItsAppPathOnly() throws Exception {
    ObjectId c1 = branch("main");
    ObjectId bad =
        remote.commit(
            "main",
            Map.of(
                "envs/staging/sts.yaml", STAGING.replace("db:1", "db:9"),
                "envs/prod/sts.yaml", PROD.replace("replicas: 5", "replicas: 6")));
    RolloutState rolledBack = verified(bad.name(), Phase.ROLLED_BACK);
    Promoter.Outcome outcome = promoter("a").revert(staging, "db", rolledBack);
    Promoter.Outcome.Opened opened =
        assertInstanceOf(Promoter.Outcome.Opened.class, outcome, outcome.toString());
    ObjectId revert = branch(Promoter.revertBranch("staging", "db", bad.name()));
    assertEquals(file(c1, "envs/staging/sts.yaml"), file(revert, "envs/staging/sts.yaml"));
    assertEquals(
        file(bad, "envs/prod/sts.yaml"),
        file(revert, "envs/prod/sts.yaml"),
        "other paths untouched");
    assertTrue(
        github.pulls().get(0).body.contains("error-rate: 0.4 > 0.05"), github.pulls().get(0).body);
    assertEquals(opened.pr().number(), github.pulls().get(0).number);

    assertInstanceOf(
        Promoter.Outcome.Exists.class, promoter("b").revert(staging, "db", rolledBack));
    stagingAt("db:10");
    Promoter.Outcome later = promoter("c").revert(staging, "db", rolledBack);
    assertInstanceOf(Promoter.Outcome.Exists.class, later, "one per bad commit");
    assertEquals(1, github.pulls().size());
  }

  @Test
  void whenGitMovedOnByItselfNoRevertIsOpened() throws Exception {
    ObjectId bad = stagingAt("db:9");
    stagingAt("db:10");
    assertInstanceOf(
        Promoter.Outcome.Skipped.class,
        promoter("a").revert(staging, "db", verified(bad.name(), Phase.ROLLED_BACK)));
    assertTrue(github.pulls().isEmpty());
  }

  @Test
  void anOpenRevertIsClosedWhenItsAppPathMovesOnInGitAndKeptWhileItDoesNot() throws Exception {
    ObjectId bad = stagingAt("db:9");
    RolloutState rolledBack = verified(bad.name(), Phase.ROLLED_BACK);
    Promoter promoter = promoter("a");
    Promoter.Outcome.Opened opened =
        assertInstanceOf(Promoter.Outcome.Opened.class, promoter.revert(staging, "db", rolledBack));
    // Another path moving keeps the revert: it still undoes exactly the bad change.
    remote.commit(
        "main",
        Map.of(
            "envs/staging/sts.yaml",
            STAGING.replace("db:1", "db:9"),
            "envs/prod/sts.yaml",
            PROD.replace("replicas: 5", "replicas: 7")));
    assertEquals(List.of(), promoter.closeOutdatedReverts(staging));
    assertEquals("open", github.pulls().get(0).state);

    ObjectId fixed = stagingAt("db:10");
    List<Promoter.RevertClosed> closed = promoter("b").closeOutdatedReverts(staging);

    assertEquals(1, closed.size());
    assertEquals(opened.pr().number(), closed.get(0).pr().number());
    assertEquals(bad.name(), closed.get(0).revertedOn());
    assertEquals(fixed.name(), closed.get(0).branchTip());
    assertEquals("closed", github.pulls().get(0).state);
    assertTrue(
        github.requests.stream()
            .noneMatch(r -> r.method().equals("POST") && r.path().contains("/comments")),
        "closed without a comment");
    assertEquals(List.of(), promoter("c").closeOutdatedReverts(staging), "closed once");
  }

  @Test
  void aTargetCommitContainsTheMergeCommitsBeforeIt() throws Exception {
    ObjectId merge = stagingAt("db:2");
    ObjectId after = stagingAt("db:3");
    Environment prod = rule.to();
    Promoter promoter = promoter("a");
    assertTrue(promoter.contains(prod, after.name(), merge.name()));
    assertTrue(promoter.contains(prod, merge.name(), merge.name()));
    assertTrue(!promoter.contains(prod, merge.name(), after.name()));
  }
}
