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
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutSource;
import dev.ordinal.rollout.RolloutState;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** carry: template and carry: files, pushed over real smart HTTP to the target branch. */
class PromoterCarryTest {
  private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");
  private static final String STAGING =
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        replicas: 1
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec:
            containers:
              - name: db
                image: registry.local/db:1
                env: [{name: MODE, value: fast}]
        volumeClaimTemplates: [{metadata: {name: data}, spec: {resources: {requests: {storage: 1Gi}}}}]
      """;
  private static final String PROD =
      """
      # prod
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db, labels: {env: prod}}
      spec:
        replicas: 5   # prod's own
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec:
            containers:
              - name: db
                image: registry.local/db:1
        volumeClaimTemplates: [{metadata: {name: data}, spec: {resources: {requests: {storage: 90Gi}}}}]
      """;

  @TempDir Path tmp;
  private TestRemote remote;
  private GitHttpServer http;
  private Environment staging;
  private Environment prod;

  @BeforeEach
  void start() throws Exception {
    remote = TestRemote.create(tmp.resolve("config.git"));
    http = GitHttpServer.start(remote.repository());
    staging = environment("staging");
    prod = environment("prod");
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
    remote.close();
  }

  private Environment environment(String name) {
    return new Environment(
        name,
        http.url(),
        "main",
        "envs/" + name,
        name,
        GitCredentials.none(),
        Optional.empty(),
        false,
        false);
  }

  private Promoter.Outcome promote(Carry carry, ObjectId commit) {
    Promoter.Rule rule =
        new Promoter.Rule("p", staging, prod, true, Duration.ZERO, List.of(), carry);
    try (Promoter promoter =
        new Promoter(
            new GitRepoCache(tmp.resolve("cache-" + commit.name())),
            1 << 26,
            new GitWorkspace.Authorship("Bot", "bot@example.com", "Ordinal", "o@example.com"),
            new ManifestLoader(ConditionGrammar.INSTANCE))) {
      return promoter.promote(rule, sts(commit.name()), NOW, false);
    }
  }

  private static StatefulSet sts(String commit) {
    RolloutState state =
        new RolloutState(
            new RolloutState.Revisions("db-2", "db-2", 2),
            new RolloutSource("staging", commit),
            new RolloutState.StepPosition(2, 2, NOW),
            new RolloutState.Status(Phase.HEALTHY, PhaseReason.NONE, ""),
            new RolloutState.Progress(NOW.minusSeconds(60), NOW, 1),
            false,
            new RolloutState.Memory(Set.of(), Set.of(), List.of()));
    Map<String, String> annotations = new HashMap<>();
    annotations.put(Annotations.STATE, state.toJson());
    StatefulSet sts = new StatefulSet();
    sts.setMetadata(
        new ObjectMetaBuilder()
            .withName("db")
            .withNamespace("staging")
            .withAnnotations(annotations)
            .build());
    return sts;
  }

  private String file(String path) throws Exception {
    Repository repo = remote.repository();
    ObjectId main = repo.exactRef(Constants.R_HEADS + "main").getObjectId();
    try (RevWalk walk = new RevWalk(repo)) {
      TreeWalk tw = TreeWalk.forPath(repo, path, walk.parseCommit(main).getTree());
      return tw == null
          ? null
          : new String(repo.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
    }
  }

  private String mainMessage() throws Exception {
    Repository repo = remote.repository();
    try (RevWalk walk = new RevWalk(repo)) {
      return walk.parseCommit(repo.exactRef(Constants.R_HEADS + "main").getObjectId())
          .getFullMessage();
    }
  }

  @Test
  void theTemplateIsCarriedAndTheTargetsReplicasClaimsAndMetadataStay() throws Exception {
    String newer = STAGING.replace("db:1", "db:2").replace("value: fast", "value: faster");
    ObjectId c1 =
        remote.commit("main", Map.of("envs/staging/sts.yaml", newer, "envs/prod/sts.yaml", PROD));

    Promoter.Outcome outcome = promote(new Carry.Template(), c1);
    assertInstanceOf(Promoter.Outcome.Pushed.class, outcome, outcome.toString());
    String expected =
        PROD.replace(
            "image: registry.local/db:1\n",
            "image: registry.local/db:2\n          env: [{name: MODE, value: faster}]\n");
    assertEquals(expected, file("envs/prod/sts.yaml"));
    assertTrue(
        mainMessage().contains("Carried: the pod template (spec.template) of StatefulSet db"),
        mainMessage());

    ObjectId c2 =
        remote.commit(
            "main", Map.of("envs/staging/sts.yaml", newer, "envs/prod/sts.yaml", expected));
    Promoter.Outcome again = promote(new Carry.Template(), c2);
    assertEquals(
        "app prod already runs the pod template of commit " + c2.name().substring(0, 12),
        assertInstanceOf(Promoter.Outcome.Skipped.class, again, again.toString()).why());
  }

  @Test
  void namedFilesAreCopiedCreatedWhereMissingAndSkippedWhenNothingDiffers() throws Exception {
    ObjectId c1 =
        remote.commit(
            "main",
            Map.of(
                "envs/staging/sts.yaml", STAGING,
                "envs/staging/config/postgresql.conf", "shared_buffers = 2GB\n",
                "envs/staging/pg_hba.conf", "host all all 10.0.0.0/8 scram-sha-256\n",
                "shared/tuning.conf", "work_mem = 64MB\n",
                "envs/staging/tuning.conf", TestRemote.link("../../shared/tuning.conf"),
                "envs/prod/sts.yaml", PROD,
                "envs/prod/config/postgresql.conf", "shared_buffers = 1GB\n",
                "envs/prod/tuning.conf", "work_mem = 64MB\n"));
    Carry files = new Carry.Files(List.of("config/postgresql.conf", "pg_hba.conf", "tuning.conf"));

    Promoter.Outcome outcome = promote(files, c1);
    assertInstanceOf(Promoter.Outcome.Pushed.class, outcome, outcome.toString());
    assertEquals("shared_buffers = 2GB\n", file("envs/prod/config/postgresql.conf"));
    assertEquals("host all all 10.0.0.0/8 scram-sha-256\n", file("envs/prod/pg_hba.conf"));
    assertEquals(PROD, file("envs/prod/sts.yaml"), "only the named files");
    String message = mainMessage();
    for (String line :
        List.of(
            "Carried: files from envs/staging to envs/prod",
            "  config/postgresql.conf (changed)",
            "  pg_hba.conf (new)",
            "  tuning.conf (unchanged)")) {
      assertTrue(message.contains(line), line + " in:\n" + message);
    }

    Promoter.Outcome again =
        promote(files, remote.repository().exactRef("refs/heads/main").getObjectId());
    assertTrue(
        assertInstanceOf(Promoter.Outcome.Skipped.class, again, again.toString())
            .why()
            .startsWith("app prod already holds the files"));
  }

  @Test
  void aFileThatLeadsOutsideTheRepositoryOrIsASymlinkOnTheTargetIsRefused() throws Exception {
    ObjectId escaping =
        remote.commit(
            "main",
            Map.of(
                "envs/staging/sts.yaml", STAGING,
                "envs/staging/secret.conf", TestRemote.link("../../../etc/passwd"),
                "envs/prod/sts.yaml", PROD));
    Promoter.Outcome outcome = promote(new Carry.Files(List.of("secret.conf")), escaping);
    String why = assertInstanceOf(Promoter.Outcome.Failed.class, outcome, outcome.toString()).why();
    assertTrue(why.contains("outside the folder or repository"), why);

    ObjectId linked =
        remote.commit(
            "main",
            Map.of(
                "envs/staging/sts.yaml",
                STAGING,
                "envs/staging/app.conf",
                "a = 1\n",
                "envs/prod/sts.yaml",
                PROD,
                "envs/prod/app.conf",
                TestRemote.link("../staging/app.conf.old"),
                "envs/staging/app.conf.old",
                "a = 0\n"));
    Promoter.Outcome onTarget = promote(new Carry.Files(List.of("app.conf")), linked);
    String refused =
        assertInstanceOf(Promoter.Outcome.Failed.class, onTarget, onTarget.toString()).why();
    assertTrue(refused.contains("envs/prod/app.conf: not a regular file"), refused);
  }
}
