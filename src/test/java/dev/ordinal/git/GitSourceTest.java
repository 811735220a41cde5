package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.manifest.SourceEntry;
import dev.ordinal.manifest.SourceTree;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GitSourceTest {
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  private static final String STS =
      "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n";
  private static final String SVC = "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\n";

  @TempDir Path tmp;
  private TestRemote remote;
  private GitRepoCache cache;
  private GitHttpServer http;

  @BeforeEach
  void setUp() throws Exception {
    remote = TestRemote.create(tmp.resolve("remote.git"));
    cache = new GitRepoCache(tmp.resolve("data"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (http != null) {
      http.close();
    }
    cache.close();
    remote.close();
  }

  private String url(String transport) throws Exception {
    if (transport.equals("http")) {
      http = GitHttpServer.start(remote.repo);
      return http.url();
    }
    return remote.fileUrl();
  }

  private GitSource source(GitSourceConfig config) throws GitSourceException {
    return GitSource.open(cache, config, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private GitSource source(String url, String ref, String path) throws GitSourceException {
    return source(GitSourceConfig.of(url, ref, path));
  }

  private static Map<String, String> entries(SourceTree tree) {
    return tree.entries().stream()
        .collect(
            Collectors.toMap(SourceEntry::path, SourceEntry::blobId, (a, b) -> a, TreeMap::new));
  }

  private static String read(SourceTree tree, String path) throws Exception {
    SourceEntry entry =
        tree.entries().stream().filter(e -> e.path().equals(path)).findFirst().orElseThrow();
    return new String(tree.reader().read(entry), StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "http"})
  void newCommitIsListedAndUnchangedHeadCostsOneFetchAndNoTreeWalk(String transport)
      throws Exception {
    ObjectId c1 =
        remote.commit(
            "main",
            Map.of(
                "apps/db/sts.yaml", STS,
                "apps/db/svc.yml", SVC,
                "apps/db/conf.json", "{}",
                "apps/db/sub/deep.YAML", STS,
                "apps/db/README.md", "# not a manifest",
                "apps/other/x.yaml", SVC));
    GitSource source = source(url(transport), "main", "apps/db");

    PollResult.Changed first = assertInstanceOf(PollResult.Changed.class, source.poll());
    assertEquals(c1.name(), first.commitId());
    assertEquals(c1.name(), first.tree().revision());
    assertEquals(
        Map.of(
            "apps/db/conf.json", remote.blobId("{}").name(),
            "apps/db/sts.yaml", remote.blobId(STS).name(),
            "apps/db/sub/deep.YAML", remote.blobId(STS).name(),
            "apps/db/svc.yml", remote.blobId(SVC).name()),
        entries(first.tree()));
    assertEquals(SVC, read(first.tree(), "apps/db/svc.yml"));

    PollResult again = source.poll();
    assertEquals(new PollResult.Unchanged(c1.name()), again);
    assertEquals(2, source.fetchCount());
    assertEquals(1, source.treeListingCount(), "an unchanged head must not walk the tree");

    String svc2 = SVC + "  labels: {a: b}\n";
    ObjectId c2 = remote.commit("main", Map.of("apps/db/sts.yaml", STS, "apps/db/svc.yml", svc2));
    PollResult.Changed second = assertInstanceOf(PollResult.Changed.class, source.poll());
    assertEquals(c2.name(), second.commitId());
    assertEquals(
        Map.of(
            "apps/db/sts.yaml", remote.blobId(STS).name(),
            "apps/db/svc.yml", remote.blobId(svc2).name()),
        entries(second.tree()));
    assertEquals(svc2, read(second.tree(), "apps/db/svc.yml"));
    assertEquals(Optional.of(c2.name()), source.status().lastGoodCommit());
    assertEquals(NOW, source.status().lastAttempt());
    // A fetched pack is unlocked once its commit has a ref: no .keep file pins it for good.
    try (Stream<Path> files = Files.walk(tmp.resolve("data"))) {
      assertEquals(
          List.of(),
          files.filter(f -> f.toString().endsWith(".keep")).map(Path::toString).toList());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "http"})
  void forcePushedHistoryIsFollowed(String transport) throws Exception {
    ObjectId base = remote.commit("main", Map.of("a.yaml", "v: 1"));
    remote.commit("main", Map.of("a.yaml", "v: 2"));
    GitSource source = source(url(transport), "main", "");
    assertInstanceOf(PollResult.Changed.class, source.poll());

    ObjectId rewritten = remote.commitOn(base, Map.of("a.yaml", "v: rewritten"));
    remote.setBranch("main", rewritten);

    PollResult.Changed changed = assertInstanceOf(PollResult.Changed.class, source.poll());
    assertEquals(rewritten.name(), changed.commitId());
    assertEquals("v: rewritten", read(changed.tree(), "a.yaml"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "http"})
  void deletedBranchFailsAndKeepsLastGoodCommit(String transport) throws Exception {
    remote.commit("main", Map.of("a.yaml", "v: main"));
    ObjectId feature = remote.commit("feature", Map.of("a.yaml", "v: feature"));
    String url = url(transport);
    GitSource source = source(url, "feature", "");
    assertInstanceOf(PollResult.Changed.class, source.poll());

    remote.deleteBranch("feature");
    PollResult.Failed failed = assertInstanceOf(PollResult.Failed.class, source.poll());
    assertTrue(failed.error().contains("ref 'feature' not found in " + url), failed.error());
    assertEquals(Optional.of(feature.name()), failed.lastGoodCommitId());
    SourceStatus status = source.status();
    assertEquals(1, status.consecutiveFailures());
    assertEquals(Optional.of(failed.error()), status.lastError());
    assertEquals(Optional.of(feature.name()), status.lastGoodCommit());

    remote.setBranch("feature", feature);
    assertEquals(new PollResult.Unchanged(feature.name()), source.poll());
    assertEquals(0, source.status().consecutiveFailures());
    assertEquals(Optional.empty(), source.status().lastError());
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "http"})
  void tracksTagsAndCommitIds(String transport) throws Exception {
    ObjectId c1 = remote.commit("main", Map.of("a.yaml", "v: 1"));
    remote.tag("v1", c1);
    remote.commit("main", Map.of("a.yaml", "v: 2"));
    String url = url(transport);

    for (String ref : new String[] {"v1", "refs/tags/v1", c1.name(), c1.abbreviate(10).name()}) {
      GitSource source = source(url, ref, "");
      PollResult.Changed changed = assertInstanceOf(PollResult.Changed.class, source.poll(), ref);
      assertEquals(c1.name(), changed.commitId(), ref);
      assertEquals("v: 1", read(changed.tree(), "a.yaml"));
    }

    // A full commit id never moves: once cached, polling it needs no fetch at all.
    GitSource pinned = source(url, c1.name(), "");
    assertInstanceOf(PollResult.Changed.class, pinned.poll());
    assertEquals(new PollResult.Unchanged(c1.name()), pinned.poll());
    assertEquals(0, pinned.fetchCount());

    PollResult.Failed missing =
        assertInstanceOf(
            PollResult.Failed.class,
            source(url, "0123456789abcdef0123456789abcdef01234567", "").poll());
    assertTrue(
        missing.error().contains("commit 0123456789abcdef0123456789abcdef01234567 not found"),
        missing.error());
  }

  /**
   * A missing pinned commit in a repository on this machine is found missing without a fetch:
   * JGit's local fetch prints the refused want's stack trace from a thread of its own.
   */
  @Test
  void aLocalRepositoryIsAskedForAPinnedCommitBeforeAnyFetch() throws Exception {
    ObjectId c1 = remote.commit("main", Map.of("a.yaml", "v: 1"));
    ObjectId missing = ObjectId.fromString("0123456789abcdef0123456789abcdef01234567");
    String path = tmp.resolve("remote.git").toString();
    assertTrue(GitSource.localRepositoryLacks(path, missing));
    assertTrue(GitSource.localRepositoryLacks(remote.fileUrl(), missing));
    assertFalse(GitSource.localRepositoryLacks(path, c1));
    assertFalse(GitSource.localRepositoryLacks("https://git.example.com/x.git", missing));
    assertFalse(GitSource.localRepositoryLacks(tmp.resolve("nothing-here").toString(), missing));

    GitSource source = source(remote.fileUrl(), missing.name(), "");
    PollResult.Failed failed = assertInstanceOf(PollResult.Failed.class, source.poll());
    assertTrue(failed.error().contains("commit " + missing.name() + " not found"), failed.error());
    assertEquals(0, source.fetchCount(), "no fetch for a commit the repository lacks");
  }

  @Test
  void unreachableRemoteFailsAndCountsFailures() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort + "/repo.git";
    GitSource source = source(url, "main", "");

    PollResult.Failed failed = assertInstanceOf(PollResult.Failed.class, source.poll());
    assertTrue(failed.error().startsWith("cannot fetch " + url), failed.error());
    assertEquals(Optional.empty(), failed.lastGoodCommitId());
    source.poll();
    SourceStatus status = source.status();
    assertEquals(2, status.consecutiveFailures());
    assertTrue(status.lastError().orElseThrow().contains("cannot fetch"));
    assertEquals(url, status.url());
    assertEquals("main", status.ref());
  }

  @Test
  void remoteGoingAwayKeepsLastGoodCommit() throws Exception {
    ObjectId c1 = remote.commit("main", Map.of("a.yaml", "v: 1"));
    GitSource source = source(url("http"), "main", "");
    assertInstanceOf(PollResult.Changed.class, source.poll());
    http.close();
    http = null;

    PollResult.Failed failed = assertInstanceOf(PollResult.Failed.class, source.poll());
    assertEquals(Optional.of(c1.name()), failed.lastGoodCommitId());
    assertEquals(1, source.status().consecutiveFailures());
  }

  @Test
  void appPathMustStayInsideTheRepository() throws Exception {
    String url = remote.fileUrl();
    for (String bad : new String[] {"../x", "apps/../../x", "/etc", "apps/..", "C:/x"}) {
      GitSourceException e =
          assertThrows(GitSourceException.class, () -> source(url, "main", bad), bad);
      assertTrue(
          e.getMessage().startsWith(bad + ": the path (apps[].path, or --path) must"),
          e.getMessage());
    }
    remote.commit("main", Map.of("apps/db/a.yaml", "v: 1"));
    PollResult.Changed changed =
        assertInstanceOf(PollResult.Changed.class, source(url, "main", "./apps//db/").poll());
    assertEquals(Map.of("apps/db/a.yaml", remote.blobId("v: 1").name()), entries(changed.tree()));
  }

  @Test
  void missingAppPathFails() throws Exception {
    remote.commit("main", Map.of("apps/db/a.yaml", "v: 1"));
    PollResult.Failed failed =
        assertInstanceOf(
            PollResult.Failed.class, source(remote.fileUrl(), "main", "apps/nope").poll());
    assertTrue(
        failed.error().startsWith("apps/nope: app path does not exist at commit"), failed.error());
  }

  @Test
  void symlinkLeavingTheRepositoryIsRefusedAndOneInsideIsFollowed() throws Exception {
    remote.commit(
        "main",
        Map.of(
            "apps/db/sts.yaml",
            STS,
            "apps/db/alias.yaml",
            TestRemote.link("sts.yaml"),
            "apps/db/shared.yaml",
            TestRemote.link("../../shared/svc.yaml"),
            "shared/svc.yaml",
            SVC));
    PollResult.Changed ok =
        assertInstanceOf(
            PollResult.Changed.class, source(remote.fileUrl(), "main", "apps/db").poll());
    assertEquals(
        Map.of(
            "apps/db/alias.yaml", remote.blobId(STS).name(),
            "apps/db/shared.yaml", remote.blobId(SVC).name(),
            "apps/db/sts.yaml", remote.blobId(STS).name()),
        entries(ok.tree()));
    assertEquals(SVC, read(ok.tree(), "apps/db/shared.yaml"));

    remote.commit(
        "main",
        Map.of(
            "apps/db/sts.yaml", STS,
            "apps/db/evil.yaml", TestRemote.link("../../../etc/passwd"),
            "apps/db/abs", TestRemote.link("/etc/shadow")));
    PollResult.Failed failed =
        assertInstanceOf(
            PollResult.Failed.class, source(remote.fileUrl(), "main", "apps/db").poll());
    assertTrue(
        failed
            .error()
            .contains(
                "apps/db/evil.yaml: symlink points to '../../../etc/passwd', outside the folder"
                    + " or repository being read; replace it with a copy of what it points to"),
        failed.error());
    assertTrue(
        failed
            .error()
            .contains(
                "apps/db/abs: symlink points to '/etc/shadow', outside the folder or repository"
                    + " being read"),
        failed.error());
  }

  @Test
  void oversizedFileIsRefusedWithSizeAndLimitWithoutRelistingOnNextPoll() throws Exception {
    remote.commit("main", Map.of("apps/a.yaml", "v: 1", "apps/big.yaml", "x".repeat(101)));
    GitSource source =
        source(GitSourceConfig.of(remote.fileUrl(), "main", "apps").withMaxFileBytes(100));

    PollResult.Failed failed = assertInstanceOf(PollResult.Failed.class, source.poll());
    assertEquals(
        "apps/big.yaml: file is 101 bytes, over the 100-byte limit;"
            + " split it into smaller files or raise the size limit",
        failed.error());
    assertInstanceOf(PollResult.Failed.class, source.poll());
    assertEquals(1, source.treeListingCount(), "a refused commit is not listed again");
    assertEquals(2, source.status().consecutiveFailures());

    ObjectId fixed = remote.commit("main", Map.of("apps/a.yaml", "v: 1", "apps/big.yaml", "v: 2"));
    assertEquals(
        fixed.name(), assertInstanceOf(PollResult.Changed.class, source.poll()).commitId());
  }

  @Test
  void httpsCredentialsAreSentAndNeverShown() throws Exception {
    remote.commit("main", Map.of("a.yaml", "v: 1"));
    http = GitHttpServer.start(remote.repo, "bot", "right-token-123");
    String url = http.url();

    GitSource anonymous = source(url, "main", "");
    PollResult.Failed noAuth = assertInstanceOf(PollResult.Failed.class, anonymous.poll());
    assertTrue(noAuth.error().contains("cannot fetch " + url), noAuth.error());

    GitSource wrong =
        source(
            GitSourceConfig.of(url, "main", "")
                .withCredentials(GitCredentials.https("bot", "wrong-token-456")));
    PollResult.Failed badAuth = assertInstanceOf(PollResult.Failed.class, wrong.poll());
    assertFalse(badAuth.error().contains("wrong-token-456"), badAuth.error());
    int rejected = http.unauthorized.get();
    assertTrue(rejected >= 2, "server must have rejected the requests: " + rejected);

    GitCredentials right = GitCredentials.https("bot", "right-token-123");
    GitSource good = source(GitSourceConfig.of(url, "main", "").withCredentials(right));
    assertInstanceOf(PollResult.Changed.class, good.poll());

    assertFalse(right.toString().contains("right-token-123"), right.toString());
    assertFalse(good.config().toString().contains("right-token-123"));
    assertFalse(wrong.status().toString().contains("wrong-token-456"));
  }

  @Test
  void tokenInUrlIsRedactedFromErrorsAndStatus() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "http://bot:s3cret-token@127.0.0.1:" + closedPort + "/repo.git";
    GitSource source = source(url, "main", "");
    PollResult.Failed failed = assertInstanceOf(PollResult.Failed.class, source.poll());
    assertFalse(failed.error().contains("s3cret-token"), failed.error());
    assertFalse(source.status().toString().contains("s3cret-token"));
    assertFalse(source.config().toString().contains("s3cret-token"));
    assertEquals("http://127.0.0.1:" + closedPort + "/repo.git", source.status().url());
  }

  @Test
  void sourcesOnTheSameRepositoryShareOneClone() throws Exception {
    remote.commit("main", Map.of("a/x.yaml", "v: 1", "b/y.yaml", "v: 2"));
    GitSource a = source(remote.fileUrl(), "main", "a");
    GitSource b = source(remote.fileUrl().replaceFirst("/$", "") + "/", "main", "b");
    assertInstanceOf(PollResult.Changed.class, a.poll());
    assertInstanceOf(PollResult.Changed.class, b.poll());
    try (var dirs = Files.list(cache.dataDir())) {
      assertEquals(1, dirs.count());
    }
  }
}
