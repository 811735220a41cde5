package dev.ordinal.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.promotion.FakeForge.Fault;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GitHubForgeTest {
  private static final String TOKEN = "ghp_secretTokenForTests0123456789";
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");

  private FakeGitHub github;
  private final List<Duration> slept = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    github = FakeGitHub.start("acme/config", TOKEN, branch -> !branch.equals("gone"));
  }

  @AfterEach
  void stop() {
    github.close();
  }

  private GitHubForge forge(String token) {
    return new GitHubForge(
        URI.create(github.api() + "/"), "acme/config", new ForgeCredential.Token(token), client());
  }

  private ForgeClient client() {
    return new ForgeClient(
        HttpClient.newHttpClient(),
        slept::add,
        Clock.fixed(NOW, ZoneOffset.UTC),
        Duration.ofSeconds(30));
  }

  @Test
  void opensAPullRequestWithTheDocumentedPathHeadersAndFields() throws Exception {
    Forge.PullRequest pr =
        forge(TOKEN).openPullRequest("ordinal/promote/x", "main", "Promote db", "body text");
    assertEquals(1, pr.number());
    assertTrue(pr.open());
    assertEquals("https://github.com/acme/config/pull/1", pr.url());
    FakeGitHub.Seen seen = github.requests.get(0);
    assertEquals("POST", seen.method());
    assertEquals("/repos/acme/config/pulls", seen.path());
    assertEquals("Bearer " + TOKEN, seen.authorization());
    assertEquals("Promote db", seen.body().get("title").asText());
    assertEquals("ordinal/promote/x", seen.body().get("head").asText());
    assertEquals("main", seen.body().get("base").asText());
    assertEquals("body text", seen.body().get("body").asText());
    FakeGitHub.Pr kept = github.pulls().get(0);
    assertEquals("body text", kept.body);
  }

  @Test
  void listsEveryPageByFollowingTheLinkHeaderAndFiltersByHead() throws Exception {
    for (int i = 0; i < 230; i++) {
      github.add("feature-" + i, "main", "pr " + i);
    }
    github.add("ordinal/promote/db-1", "main", "ours");
    github.add("ordinal/promote/db-2", "release", "other base");
    List<Forge.PullRequest> all = forge(TOKEN).pullRequests("main", null, false);
    assertEquals(231, all.size());
    assertEquals(3, github.requests.size(), "100 per page: three pages");
    assertTrue(github.requests.get(0).query().contains("per_page=100"));
    assertTrue(github.requests.get(2).query().contains("page=3"));
    assertEquals(
        List.of("ordinal/promote/db-1"),
        forge(TOKEN).openWithHeadPrefix("main", "ordinal/promote/").stream()
            .map(Forge.PullRequest::head)
            .toList());
    List<Forge.PullRequest> byHead =
        forge(TOKEN).pullRequests("main", "ordinal/promote/db-1", true);
    assertEquals(1, byHead.size());
    assertTrue(
        github
            .requests
            .get(github.requests.size() - 1)
            .query()
            .contains("head=acme%3Aordinal%2Fpromote%2Fdb-1"),
        github.requests.get(github.requests.size() - 1).query());
  }

  @Test
  void closesAndReportsMergedPullRequests() throws Exception {
    FakeGitHub.Pr a = github.add("a", "main", "a");
    FakeGitHub.Pr b = github.add("b", "main", "b");
    github.merged(b.number, SHA);
    forge(TOKEN).closePullRequest(a.number);
    assertEquals("closed", a.state);
    FakeGitHub.Seen patch = github.requests.get(0);
    assertEquals("PATCH", patch.method());
    assertEquals("/repos/acme/config/pulls/1", patch.path());
    assertEquals("closed", patch.body().get("state").asText());
    Forge.PullRequest merged = forge(TOKEN).pullRequests("main", "b", true).get(0);
    assertTrue(merged.merged());
    assertEquals(SHA, merged.mergeCommit());
  }

  @Test
  void setsCommitStatusesWithContextDescriptionAndLink() throws Exception {
    forge(TOKEN)
        .setStatus(
            SHA,
            Forge.CommitState.FAILURE,
            "ordinal/shop/db",
            "rolled back: " + "x".repeat(200),
            "https://ordinal.example/status");
    FakeGitHub.Status status = github.statuses.get(0);
    assertEquals("failure", status.state());
    assertEquals("ordinal/shop/db", status.context());
    assertEquals("https://ordinal.example/status", status.targetUrl());
    assertEquals(140, status.description().length(), "GitHub's limit");
    assertEquals("/repos/acme/config/statuses/" + SHA, github.requests.get(0).path());
  }

  @Test
  void badCredentialsAre401WithWhatToDoAndNeitherRetriedNorEchoingTheToken() {
    ForgeException e =
        assertThrows(
            ForgeException.class, () -> forge("wrong-token").pullRequests("main", null, false));
    assertEquals(401, e.status());
    assertTrue(e.getMessage().contains("Bad credentials"), e.getMessage());
    assertTrue(e.getMessage().contains("replace the token file"), e.getMessage());
    assertFalse(e.getMessage().contains("wrong-token"));
    assertEquals(1, github.requests.size());
    assertFalse(forge(TOKEN).toString().contains(TOKEN));
  }

  @Test
  void anotherRepositoryIs404AndADuplicateOrUnknownBranchIs422() throws Exception {
    GitHubForge other =
        new GitHubForge(
            URI.create(github.api()), "acme/other", new ForgeCredential.Token(TOKEN), client());
    assertEquals(404, assertThrows(ForgeException.class, () -> other.closePullRequest(1)).status());
    forge(TOKEN).openPullRequest("x", "main", "t", "b");
    ForgeException duplicate =
        assertThrows(
            ForgeException.class, () -> forge(TOKEN).openPullRequest("x", "main", "t", "b"));
    assertEquals(422, duplicate.status());
    assertTrue(
        duplicate.getMessage().contains("A pull request already exists"), duplicate.getMessage());
    assertEquals(
        422,
        assertThrows(
                ForgeException.class, () -> forge(TOKEN).openPullRequest("gone", "main", "t", "b"))
            .status());
    assertTrue(slept.isEmpty(), "4xx answers are not retried");
  }

  @Test
  void aConflictIs409WithItsMessage() {
    github.fail(new Fault(409, Map.of(), "{\"message\":\"Git Repository is empty.\"}"));
    ForgeException e =
        assertThrows(ForgeException.class, () -> forge(TOKEN).pullRequests("main", null, false));
    assertEquals(409, e.status());
    assertTrue(e.getMessage().contains("Git Repository is empty."), e.getMessage());
  }

  @Test
  void aRateLimitWithRetryAfterIsWaitedOutThenTheCallSucceeds() throws Exception {
    github.fail(
        new Fault(
            403,
            Map.of("Retry-After", "7"),
            "{\"message\":\"You have exceeded a secondary rate limit.\"}"));
    github.fail(
        new Fault(
            403,
            Map.of(
                "x-ratelimit-remaining",
                "0",
                "x-ratelimit-reset",
                String.valueOf(NOW.plusSeconds(12).getEpochSecond())),
            "{\"message\":\"API rate limit exceeded\"}"));
    assertEquals(List.of(), forge(TOKEN).pullRequests("main", null, false));
    assertEquals(List.of(Duration.ofSeconds(7), Duration.ofSeconds(12)), slept);
    assertEquals(3, github.requests.size());
  }

  @Test
  void aRateLimitLongerThanTheWaitBoundFailsAtOnceNamingTheWait() {
    github.fail(new Fault(429, Map.of("Retry-After", "3600"), "{\"message\":\"slow down\"}"));
    ForgeException e =
        assertThrows(ForgeException.class, () -> forge(TOKEN).pullRequests("main", null, false));
    assertEquals(Duration.ofHours(1), e.retryAfter().orElseThrow());
    assertTrue(e.getMessage().contains("3600s"), e.getMessage());
    assertTrue(slept.isEmpty());
  }

  @Test
  void serverErrorsAreRetriedABoundedNumberOfTimes() {
    for (int i = 0; i < 5; i++) {
      github.fail(new Fault(502, Map.of(), "{\"message\":\"Server Error\"}"));
    }
    ForgeException e =
        assertThrows(ForgeException.class, () -> forge(TOKEN).pullRequests("main", null, false));
    assertEquals(502, e.status());
    assertEquals(ForgeHttp.ATTEMPTS, github.requests.size());
    assertEquals(
        List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), slept, "no wait after the last");
  }

  @Test
  void anUnreachableForgeIsStatusZeroAfterBoundedAttempts() throws Exception {
    String api = github.api();
    github.close();
    GitHubForge down =
        new GitHubForge(URI.create(api), "acme/config", new ForgeCredential.Token(TOKEN), client());
    ForgeException e =
        assertThrows(
            ForgeException.class,
            () -> down.setStatus(SHA, Forge.CommitState.PENDING, "c", "d", null));
    assertEquals(0, e.status());
    assertEquals(ForgeHttp.ATTEMPTS - 1, slept.size());
    assertFalse(e.getMessage().contains(TOKEN));
  }

  @Test
  void aNextPageOnAnotherHostIsNotFollowedWithTheToken() {
    github.fail(
        new Fault(
            200,
            Map.of("Link", "<http://evil.example/repos/acme/config/pulls?page=2>; rel=\"next\""),
            "[]"));
    ForgeException e =
        assertThrows(ForgeException.class, () -> forge(TOKEN).pullRequests("main", null, false));
    assertTrue(e.getMessage().contains("another host"), e.getMessage());
  }
}
