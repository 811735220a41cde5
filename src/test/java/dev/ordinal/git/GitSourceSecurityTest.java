package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Git credentials go only where they are configured to go, never in the clear, never into a
 * message; a fetch takes only the tracked ref and no more bytes than its limit.
 */
class GitSourceSecurityTest {
  private static final String TOKEN = "tok-3f9a1c77e5";

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

  /**
   * A real smart-HTTP server that asks for credentials and then (or at once) redirects to a second
   * host, which baits with a 401: the second host receives no Authorization header, and the error
   * says what happened without the token.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aRedirectToAnotherHostReceivesNoCredentials(boolean redirectBeforeAuth) throws Exception {
    remote.commit("main", Map.of("a.yaml", "v: 1"));
    http = GitHttpServer.start(remote.repo, "bot", TOKEN);
    try (RecordingHttpServer other = RecordingHttpServer.start("127.0.0.2")) {
      // Control: without the redirect the credentials work.
      GitSource direct =
          GitSource.open(
              cache,
              GitSourceConfig.of(http.url(), "main", "")
                  .withCredentials(GitCredentials.https("bot", TOKEN)));
      assertInstanceOf(PollResult.Changed.class, direct.poll());

      http.redirectTo = other.baseUrl();
      http.redirectBeforeAuth = redirectBeforeAuth;
      remote.commit("main", Map.of("a.yaml", "v: 2"));
      PollResult.Failed failed = assertInstanceOf(PollResult.Failed.class, direct.poll());

      assertFalse(other.seen.isEmpty(), "JGit followed the redirect to the other host");
      for (RecordingHttpServer.Seen seen : other.seen) {
        assertEquals("", seen.authorization(), "credentials sent to " + seen.path());
      }
      assertTrue(failed.error().contains("redirected to http://127.0.0.2:"), failed.error());
      assertTrue(failed.error().contains("sent no credentials"), failed.error());
      assertFalse(failed.error().contains(TOKEN), failed.error());
      System.out.printf(
          "redirect (before auth: %s): the other host saw %d request(s), none with credentials;"
              + " error: %s%n",
          redirectBeforeAuth, other.seen.size(), failed.error());
    }
  }

  @Test
  void credentialsOverPlainHttpAreRefusedWithHowToFix() throws Exception {
    GitSourceException token =
        refusedToOpen(
            GitSourceConfig.of("http://git.example.com/platform/config.git", "main", "")
                .withCredentials(GitCredentials.https("bot", TOKEN)));
    assertTrue(token.getMessage().contains("in the clear"), token.getMessage());
    assertTrue(token.getMessage().contains("https://"), token.getMessage());
    assertFalse(token.getMessage().contains(TOKEN), token.getMessage());

    GitSourceException inUrl =
        refusedToOpen(
            GitSourceConfig.of("http://bot:" + TOKEN + "@git.example.com/config.git", "main", ""));
    assertTrue(inUrl.getMessage().contains("in the clear"), inUrl.getMessage());
    assertFalse(inUrl.getMessage().contains(TOKEN), inUrl.getMessage());

    // Anonymous http:// is fine, and so are credentials over https:// and to a loopback address.
    GitSource.open(cache, GitSourceConfig.of("http://git.example.com/public.git", "main", ""));
    GitSource.open(
        cache,
        GitSourceConfig.of("https://git.example.com/config.git", "main", "")
            .withCredentials(GitCredentials.https("bot", TOKEN)));
    GitSource.open(
        cache,
        GitSourceConfig.of("http://127.0.0.1:9/config.git", "main", "")
            .withCredentials(GitCredentials.https("bot", TOKEN)));
  }

  @Test
  void anFtpRepositoryIsRefusedBeforeAnyFetchWithoutItsPassword() {
    GitSourceException ftp =
        refusedToOpen(
            GitSourceConfig.of("ftp://bot:" + TOKEN + "@git.example.com/config.git", "main", ""));
    assertEquals(
        "ftp://git.example.com/config.git: Ordinal cannot fetch over ftp://; use an https:// or"
            + " ssh:// URL, or a local path",
        ftp.getMessage());
  }

  private GitSourceException refusedToOpen(GitSourceConfig config) {
    return assertThrows(GitSourceException.class, () -> GitSource.open(cache, config));
  }

  /** JGit's URIish parses the user-info, so a password holding '@' is removed whole. */
  @Test
  void aPasswordWithAnAtSignLeaksNoTailInStatusOrErrors() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "https://bot:p@ss-w0rd-tail@127.0.0.1:" + closedPort + "/repo.git";
    assertEquals("https://127.0.0.1:" + closedPort + "/repo.git", RepoUrl.redact(url));
    assertEquals(
        "cannot fetch https://127.0.0.1:1/x: nope",
        RepoUrl.redactText("cannot fetch https://bot:p@ss-w0rd-tail@127.0.0.1:1/x: nope"));

    GitSource source = GitSource.open(cache, GitSourceConfig.of(url, "main", ""));
    PollResult.Failed failed = assertInstanceOf(PollResult.Failed.class, source.poll());
    for (String shown :
        List.of(
            failed.error(),
            source.status().toString(),
            source.config().toString(),
            source.status().url())) {
      assertFalse(shown.contains("ss-w0rd-tail"), shown);
      assertFalse(shown.contains("p@ss"), shown);
    }
  }

  @Test
  void onlyTheTrackedRefIsFetched() throws Exception {
    ObjectId main = remote.commit("main", Map.of("a.yaml", "v: main"));
    ObjectId feature = remote.commit("feature", Map.of("a.yaml", "v: feature"));
    remote.tag("v1", main);
    remote.tag("v0", feature);
    http = GitHttpServer.start(remote.repo);
    GitSource source = GitSource.open(cache, GitSourceConfig.of(http.url(), "main", ""));
    assertInstanceOf(PollResult.Changed.class, source.poll());
    assertEquals(new PollResult.Unchanged(main.name()), source.poll());

    try (Repository bare = openCache()) {
      List<String> refs =
          bare.getRefDatabase().getRefs().stream().map(Ref::getName).sorted().toList();
      assertEquals(List.of("refs/heads/main"), refs, "no other branch, no tag");
      assertFalse(
          bare.getObjectDatabase().has(feature), "the other branch's commit was not downloaded");
    }
  }

  @Test
  void aFetchOverItsSizeLimitFailsClearlyAndKeepsNothing() throws Exception {
    byte[] noise = new byte[2 * 1024 * 1024];
    new Random(7).nextBytes(noise);
    String big = Base64.getEncoder().encodeToString(noise);
    remote.commit("main", Map.of("a.yaml", "v: 1", "blob/big.txt", big));
    http = GitHttpServer.start(remote.repo);
    GitSource small =
        GitSource.open(
            cache, GitSourceConfig.of(http.url(), "main", "").withMaxFetchBytes(512 * 1024));
    PollResult.Failed failed = assertInstanceOf(PollResult.Failed.class, small.poll());
    assertTrue(
        failed.error().contains("exceeds the limit of 524288 bytes (git.maxFetchSize)"),
        failed.error());
    try (Repository bare = openCache()) {
      assertTrue(bare.getRefDatabase().getRefs().isEmpty(), "nothing of the fetch was kept");
    }

    GitSource enough = GitSource.open(cache, GitSourceConfig.of(http.url(), "main", ""));
    assertInstanceOf(PollResult.Changed.class, enough.poll());
  }

  private Repository openCache() throws Exception {
    try (Stream<Path> dirs = Files.list(cache.dataDir())) {
      Path dir = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
      return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
    }
  }
}
