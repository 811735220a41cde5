package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.git.GitHttpServer;
import dev.ordinal.git.TestRemote;
import dev.ordinal.promotion.FakeGitHub;
import dev.ordinal.promotion.PromotionLinks;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutSource;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.VerdictRecord;
import dev.ordinal.testkit.Manifests;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's side of a promotion pull request, over real Git and the in-process GitHub: what the
 * target StatefulSet records from opening to merge to the target's rollout, across restarts.
 */
class PromotionsTest {
  private static final String TOKEN = "ghp_promotionsTestToken";
  private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");

  @TempDir Path tmp;
  private TestRemote remote;
  private GitHttpServer http;
  private FakeGitHub github;
  private DaemonConfig config;
  private final Map<String, StatefulSet> cluster = new ConcurrentHashMap<>();
  private final List<Map<String, String>> writes = new ArrayList<>();

  /** The StatefulSets in memory; a write under a stale resourceVersion is a conflict. */
  private final Workloads workloads =
      new Workloads() {
        @Override
        public AutoCloseable watch(Set<String> namespaces, Listener listener) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Optional<StatefulSet> statefulSet(String key, Read read) {
          return Optional.ofNullable(cluster.get(key));
        }

        @Override
        public List<Pod> pods(StatefulSet sts, Read read) {
          return List.of();
        }

        @Override
        public synchronized WriteResult write(StatefulSet observed, RolloutWrite write) {
          String key =
              observed.getMetadata().getNamespace() + "/" + observed.getMetadata().getName();
          StatefulSet now = cluster.get(key);
          if (!now.getMetadata()
              .getResourceVersion()
              .equals(observed.getMetadata().getResourceVersion())) {
            return new WriteResult.Conflict();
          }
          Map<String, String> annotations = new HashMap<>(now.getMetadata().getAnnotations());
          annotations.putAll(write.set());
          write.remove().forEach(annotations::remove);
          writes.add(write.set());
          StatefulSet next = sts(now.getMetadata().getNamespace(), annotations);
          next.getMetadata()
              .setResourceVersion(
                  String.valueOf(Integer.parseInt(now.getMetadata().getResourceVersion()) + 1));
          cluster.put(key, next);
          return new WriteResult.Written(next);
        }

        @Override
        public PodDeletion deletePod(String namespace, String pod, String revision) {
          throw new UnsupportedOperationException();
        }
      };

  @BeforeEach
  void start() throws Exception {
    remote = TestRemote.create(tmp.resolve("config.git"));
    remote.commit("main", files("registry.local/db:1"));
    http = GitHttpServer.start(remote.repository());
    github = FakeGitHub.startFor("acme/config", TOKEN, remote.repository());
    Path token = Files.writeString(tmp.resolve("token"), TOKEN);
    String forge =
        "forge: {type: github, api: "
            + github.api()
            + ", repository: acme/config, tokenFile: "
            + token
            + "}";
    Path file = tmp.resolve("config.yaml");
    Files.writeString(
        file,
        String.format(
            """
            apps:
              - {name: staging, repo: %1$s, revision: main, path: envs/staging, namespace: staging,
                 %2$s}
              - {name: prod, repo: %1$s, revision: main, path: envs/prod, namespace: prod, %2$s}
            promotions:
              - {name: staging-to-prod, from: staging, to: prod, requiredSoakTime: 0s}
            """,
            http.url(), forge));
    config = DaemonConfig.load(file);
    cluster.put("prod/db", sts("prod", Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    github.close();
    http.close();
    remote.close();
  }

  private static Map<String, String> files(String stagingImage) {
    return Map.of(
        "envs/staging/sts.yaml", Manifests.STS.replace("registry.local/db:1", stagingImage),
        "envs/staging/policy.yaml", Manifests.POLICY,
        "envs/prod/sts.yaml", Manifests.STS,
        "envs/prod/policy.yaml", Manifests.POLICY);
  }

  private static StatefulSet sts(String namespace, Map<String, String> annotations) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName("db")
        .withNamespace(namespace)
        .withResourceVersion("1")
        .withAnnotations(new HashMap<>(annotations))
        .endMetadata()
        .build();
  }

  private static String healthyAt(String app, String commit, int rollout) {
    return new RolloutState(
            new RolloutState.Revisions("db-2", "db-2", rollout),
            new RolloutSource(app, commit),
            new RolloutState.StepPosition(2, 2, NOW),
            new RolloutState.Status(Phase.HEALTHY, PhaseReason.NONE, ""),
            new RolloutState.Progress(NOW.minusSeconds(60), NOW, 1),
            false,
            new RolloutState.Memory(
                Set.of(),
                Set.of(),
                List.of(new VerdictRecord(2, "error-rate", AnalysisVerdict.SUCCESSFUL, false))))
        .toJson();
  }

  private Promotions promotions(String dataDir) throws Exception {
    return new Promotions(
        config,
        tmp.resolve(dataDir),
        app -> List.of(cluster.get(app + "/db")),
        workloads,
        () -> true,
        Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC));
  }

  private Map<String, String> prod() {
    return cluster.get("prod/db").getMetadata().getAnnotations();
  }

  @Test
  void aMergedPromotionIsRecordedOnceOnTheTargetAndLinkedToItsRolloutAcrossRestarts()
      throws Exception {
    ObjectId c2 = remote.commit("main", files("registry.local/db:2"));
    cluster.put(
        "staging/db",
        sts("staging", Map.of(Annotations.STATE, healthyAt("staging", c2.name(), 2))));
    PromotionLinks.Source source =
        new PromotionLinks.Source("staging-to-prod", "staging", "db", c2.name());

    try (Promotions first = promotions("a")) {
      first.checkAll();
      assertEquals(1, github.pulls().size());
      assertEquals(
          1,
          PromotionLinks.pendings(prod()).stream().findFirst().orElseThrow().pullRequest(),
          prod().toString());
      assertEquals(
          source, PromotionLinks.pendings(prod()).stream().findFirst().orElseThrow().source());
      first.checkAll();
      assertEquals(1, writes.size(), "an open pull request is recorded once");
    }

    FakeGitHub.Pr pr = github.pulls().get(0);
    ObjectId merge = remote.repository().exactRef(Constants.R_HEADS + pr.head).getObjectId();
    remote.moveBranch("main", merge);
    github.merged(pr.number, merge.name());
    try (Promotions restarted = promotions("b")) {
      restarted.checkAll();
      PromotionLinks.Merged merged = PromotionLinks.merged(prod()).orElseThrow();
      assertEquals(source, merged.source());
      assertEquals(merge.name(), merged.mergeCommit());
      assertNull(merged.rollout(), "prod has not rolled it out yet");
      assertTrue(
          PromotionLinks.pendings(prod()).stream().findFirst().isEmpty(),
          "the watch ended in the same write");
      restarted.checkAll();
      assertEquals(2, writes.size(), "the merge is recorded once");

      // Prod rolls out a commit after the merge: that rollout is the promotion's.
      ObjectId later = remote.commit("main", files("registry.local/db:2"));
      Map<String, String> rolling = new HashMap<>(prod());
      rolling.put(Annotations.STATE, healthyAt("prod", later.name(), 5));
      StatefulSet target = sts("prod", rolling);
      target.getMetadata().setResourceVersion("7");
      cluster.put("prod/db", target);
      restarted.checkAll();
      assertEquals(
          new PromotionLinks.TargetRollout(later.name(), 5),
          PromotionLinks.merged(prod()).orElseThrow().rollout());
    }
    try (Promotions again = promotions("c")) {
      again.checkAll();
      assertEquals(3, writes.size(), "nothing is recorded twice after another restart");
      assertEquals(1, github.pulls().size());
    }
  }

  @Test
  void aPromotionClosedUnmergedEndsTheWatchAndIsNotWatchedAgain() throws Exception {
    ObjectId c2 = remote.commit("main", files("registry.local/db:2"));
    cluster.put(
        "staging/db",
        sts("staging", Map.of(Annotations.STATE, healthyAt("staging", c2.name(), 2))));
    try (Promotions promotions = promotions("a")) {
      promotions.checkAll();
      github.pulls().get(0).state = "closed";
      promotions.checkAll();
      assertTrue(PromotionLinks.pendings(prod()).stream().findFirst().isEmpty(), prod().toString());
      promotions.checkAll();
      promotions.checkAll();
      assertTrue(PromotionLinks.pendings(prod()).stream().findFirst().isEmpty(), prod().toString());
      assertTrue(PromotionLinks.merged(prod()).isEmpty());
      assertEquals(2, writes.size(), "watched, then ended; no flapping");
    }
  }
}
