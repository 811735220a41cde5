package dev.ordinal.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

class GitLabForgeTest {
  private static final String TOKEN = "glpat-secretTokenForTests0123";
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");
  private static final String PROJECT = "acme/platform/config";

  private FakeGitLab gitlab;
  private final List<Duration> slept = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    gitlab = FakeGitLab.start(PROJECT, TOKEN, branch -> !branch.equals("gone"));
  }

  @AfterEach
  void stop() {
    gitlab.close();
  }

  private GitLabForge forge(String project, String token) {
    return new GitLabForge(
        URI.create(gitlab.api() + "/"),
        project,
        new ForgeCredential.Token(token),
        new ForgeClient(
            HttpClient.newHttpClient(),
            slept::add,
            Clock.fixed(NOW, ZoneOffset.UTC),
            Duration.ofSeconds(30)));
  }

  private GitLabForge forge() {
    return forge(PROJECT, TOKEN);
  }

  @Test
  void opensAMergeRequestOnTheEncodedNestedProjectPathWithBearerAuth() throws Exception {
    Forge.PullRequest mr = forge().openPullRequest("ordinal/promote/x", "main", "Promote", "why");
    assertEquals(1, mr.number());
    assertTrue(mr.open());
    assertEquals("https://gitlab.example.com/acme/platform/config/-/merge_requests/1", mr.url());
    FakeForge.Seen seen = gitlab.requests.get(0);
    assertEquals("POST", seen.method());
    assertEquals("/api/v4/projects/acme%2Fplatform%2Fconfig/merge_requests", seen.path());
    assertEquals("Bearer " + TOKEN, seen.authorization());
    assertNull(seen.headers().get("private-token"), "one credential header, not two");
    assertEquals("ordinal/promote/x", seen.body().get("source_branch").asText());
    assertEquals("main", seen.body().get("target_branch").asText());
    assertEquals("Promote", seen.body().get("title").asText());
    assertEquals("why", seen.body().get("description").asText());
    assertEquals("why", gitlab.mergeRequests().get(0).description);
  }

  @Test
  void listsEveryPageByXNextPageFilteredByStateAndBranches() throws Exception {
    for (int i = 0; i < 230; i++) {
      gitlab.add("feature-" + i, "main", "mr " + i);
    }
    gitlab.add("ordinal/promote/db-1", "main", "ours");
    gitlab.add("ordinal/promote/db-2", "release", "other target");
    FakeGitLab.Mr closed = gitlab.add("old", "main", "closed one");
    closed.state = "closed";
    assertEquals(231, forge().pullRequests("main", null, false).size());
    assertEquals(3, gitlab.requests.size(), "100 per page: three pages");
    Map<String, String> first = FakeForge.query(gitlab.requests.get(0).query());
    assertEquals("opened", first.get("state"));
    assertEquals("main", first.get("target_branch"));
    assertEquals("100", first.get("per_page"));
    assertEquals("3", FakeForge.query(gitlab.requests.get(2).query()).get("page"));
    assertEquals(232, forge().pullRequests("main", null, true).size(), "all states");
    List<Forge.PullRequest> byHead = forge().pullRequests("main", "ordinal/promote/db-1", true);
    assertEquals(
        List.of("ordinal/promote/db-1"), byHead.stream().map(Forge.PullRequest::head).toList());
    assertEquals(
        "ordinal/promote/db-1",
        FakeForge.query(gitlab.requests.get(gitlab.requests.size() - 1).query())
            .get("source_branch"));
  }

  @Test
  void closesWithStateEventAndReadsMergeOrSquashCommits() throws Exception {
    FakeGitLab.Mr a = gitlab.add("a", "main", "a");
    FakeGitLab.Mr b = gitlab.add("b", "main", "b");
    FakeGitLab.Mr c = gitlab.add("c", "main", "c");
    gitlab.merged(b.iid, SHA, null);
    gitlab.merged(c.iid, null, "fedcba9876543210fedcba9876543210fedcba98");
    forge().closePullRequest(a.iid);
    assertEquals("closed", a.state);
    FakeForge.Seen put = gitlab.requests.get(0);
    assertEquals("PUT", put.method());
    assertEquals("/api/v4/projects/acme%2Fplatform%2Fconfig/merge_requests/1", put.path());
    assertEquals("close", put.body().get("state_event").asText());
    Forge.PullRequest merged = forge().pullRequests("main", "b", true).get(0);
    assertTrue(merged.merged());
    assertFalse(merged.open());
    assertEquals(SHA, merged.mergeCommit());
    assertEquals(
        "fedcba9876543210fedcba9876543210fedcba98",
        forge().pullRequests("main", "c", true).get(0).mergeCommit());
    assertFalse(forge().pullRequests("main", "a", true).get(0).merged());
  }

  @Test
  void setsStatusesWithGitLabsStateNamesAndTakesARepeatedStateAsSet() throws Exception {
    forge().setStatus(SHA, Forge.CommitState.PENDING, "ordinal/shop/db", "rolling", null);
    forge().setStatus(SHA, Forge.CommitState.PENDING, "ordinal/shop/db", "rolling", null);
    forge()
        .setStatus(
            SHA, Forge.CommitState.FAILURE, "ordinal/shop/db", "rolled back", "https://o.example");
    assertEquals(
        List.of("pending", "failed"),
        gitlab.statuses.stream().map(FakeForge.Status::state).toList());
    FakeForge.Status failed = gitlab.statuses.get(1);
    assertEquals("ordinal/shop/db", failed.context());
    assertEquals("rolled back", failed.description());
    assertEquals("https://o.example", failed.targetUrl());
    FakeForge.Seen seen = gitlab.requests.get(2);
    assertEquals("/api/v4/projects/acme%2Fplatform%2Fconfig/statuses/" + SHA, seen.path());
    assertEquals("ordinal/shop/db", seen.body().get("name").asText());
    assertEquals(3, gitlab.requests.size(), "the repeat, answered 400, was not retried");
  }

  @Test
  void a401IsReportedOnceWithWhatToDoAndWithoutTheToken() {
    ForgeException e =
        assertThrows(
            ForgeException.class,
            () -> forge(PROJECT, "wrong-token").pullRequests("main", null, false));
    assertEquals(401, e.status());
    assertTrue(e.getMessage().contains("401 Unauthorized"), e.getMessage());
    assertTrue(e.getMessage().contains("replace the token file"), e.getMessage());
    assertFalse(e.getMessage().contains("wrong-token"));
    assertEquals(1, gitlab.requests.size());
    assertFalse(forge().toString().contains(TOKEN));
  }

  @Test
  void anotherProjectIs404ADuplicateIs409AnUnknownBranchIs422AndAForbiddenCallIs403() {
    ForgeException missing =
        assertThrows(ForgeException.class, () -> forge("acme/other", TOKEN).closePullRequest(1));
    assertEquals(404, missing.status());
    assertTrue(missing.getMessage().contains("404 Project Not Found"), missing.getMessage());
    assertTrue(missing.getMessage().contains("check forge.repository"), missing.getMessage());
    gitlab.add("x", "main", "open already");
    ForgeException duplicate =
        assertThrows(ForgeException.class, () -> forge().openPullRequest("x", "main", "t", "b"));
    assertEquals(409, duplicate.status());
    assertTrue(
        duplicate.getMessage().contains("Another open merge request already exists"),
        duplicate.getMessage());
    assertEquals(
        422,
        assertThrows(ForgeException.class, () -> forge().openPullRequest("gone", "main", "t", "b"))
            .status());
    gitlab.fail(new Fault(403, Map.of(), "{\"message\":\"403 Forbidden\"}"));
    ForgeException forbidden =
        assertThrows(
            ForgeException.class,
            () -> forge().setStatus(SHA, Forge.CommitState.SUCCESS, "c", "d", null));
    assertEquals(403, forbidden.status());
    assertTrue(forbidden.getMessage().contains("api scope"), forbidden.getMessage());
    assertTrue(slept.isEmpty(), "4xx answers are not retried");
  }

  @Test
  void a429IsWaitedOutWithinTheBoundAndReportedBeyondIt() throws Exception {
    gitlab.fail(
        new Fault(429, Map.of("Retry-After", "5", "Content-Type", "text/plain"), "Retry later\n"));
    assertEquals(List.of(), forge().pullRequests("main", null, false));
    assertEquals(List.of(Duration.ofSeconds(5)), slept);
    gitlab.fail(new Fault(429, Map.of("Retry-After", "600"), "Retry later\n"));
    ForgeException e =
        assertThrows(ForgeException.class, () -> forge().pullRequests("main", null, false));
    assertEquals(429, e.status());
    assertEquals(Duration.ofMinutes(10), e.retryAfter().orElseThrow());
    assertTrue(e.getMessage().contains("GitLab allows the next call in 600s"), e.getMessage());
    assertEquals(1, slept.size());
  }

  @Test
  void serverErrorsAreRetriedABoundedNumberOfTimes() {
    for (int i = 0; i < 5; i++) {
      gitlab.fail(new Fault(500, Map.of(), "{\"message\":\"500 Internal Server Error\"}"));
    }
    ForgeException e =
        assertThrows(ForgeException.class, () -> forge().openPullRequest("x", "main", "t", "b"));
    assertEquals(500, e.status());
    assertEquals(ForgeHttp.ATTEMPTS, gitlab.requests.size());
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), slept);
    assertFalse(e.getMessage().contains(TOKEN));
  }
}
