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
import org.junit.jupiter.api.Test;

class GiteaForgeTest {
  private static final String TOKEN = "gitea-secret-token-0123456789abcdef";
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");

  private FakeGitea gitea;
  private final List<Duration> slept = new CopyOnWriteArrayList<>();

  private FakeGitea start(boolean filtersBaseBranch) throws Exception {
    gitea = FakeGitea.start("acme/config", TOKEN, b -> !b.equals("gone"), filtersBaseBranch);
    return gitea;
  }

  @AfterEach
  void stop() {
    gitea.close();
  }

  private GiteaForge forge(String repository, String token) {
    return new GiteaForge(
        URI.create(gitea.api()),
        repository,
        new ForgeCredential.Token(token),
        new ForgeClient(
            HttpClient.newHttpClient(),
            slept::add,
            Clock.fixed(NOW, ZoneOffset.UTC),
            Duration.ofSeconds(30)));
  }

  private GiteaForge forge() {
    return forge("acme/config", TOKEN);
  }

  @Test
  void opensAPullRequestWithTokenAuthAndTheDocumentedFields() throws Exception {
    start(true);
    Forge.PullRequest pr = forge().openPullRequest("ordinal/promote/x", "main", "Promote", "why");
    assertEquals(1, pr.number());
    assertTrue(pr.open());
    assertEquals("https://gitea.example.com/acme/config/pulls/1", pr.url());
    FakeForge.Seen seen = gitea.requests.get(0);
    assertEquals("POST", seen.method());
    assertEquals("/api/v1/repos/acme/config/pulls", seen.path());
    assertEquals("token " + TOKEN, seen.authorization());
    assertEquals("ordinal/promote/x", seen.body().get("head").asText());
    assertEquals("main", seen.body().get("base").asText());
    assertEquals("Promote", seen.body().get("title").asText());
    assertEquals("why", seen.body().get("body").asText());
  }

  @Test
  void listsByPageNumberUntilTheTotalCountAndFiltersBaseAndHeadItself() throws Exception {
    start(false);
    for (int i = 0; i < 110; i++) {
      gitea.add("feature-" + i, "main", "pr " + i);
    }
    gitea.add("ordinal/promote/db-1", "main", "ours");
    gitea.add("ordinal/promote/db-2", "release", "other base, which this Gitea does not filter");
    assertEquals(111, forge().pullRequests("main", null, false).size());
    assertEquals(3, gitea.requests.size(), "112 at 50 a page: three pages, no fourth");
    Map<String, String> first = FakeForge.query(gitea.requests.get(0).query());
    assertEquals("open", first.get("state"));
    assertEquals("50", first.get("limit"));
    assertEquals("main", first.get("base_branch"));
    assertEquals("3", FakeForge.query(gitea.requests.get(2).query()).get("page"));
    assertTrue(
        gitea.requests.stream().allMatch(r -> r.path().equals("/api/v1/repos/acme/config/pulls")),
        "the Link header's ROOT_URL host is never called");
    assertEquals(
        List.of("ordinal/promote/db-1"),
        forge().pullRequests("main", "ordinal/promote/db-1", true).stream()
            .map(Forge.PullRequest::head)
            .toList());
  }

  @Test
  void closesReadsMergedPullRequestsAndReportsClosingAMergedOneAs412() throws Exception {
    start(true);
    FakeGitHub.Pr a = gitea.add("a", "main", "a");
    FakeGitHub.Pr b = gitea.add("b", "main", "b");
    gitea.merged(b.number, SHA);
    forge().closePullRequest(a.number);
    assertEquals("closed", a.state);
    FakeForge.Seen patch = gitea.requests.get(0);
    assertEquals("PATCH", patch.method());
    assertEquals("/api/v1/repos/acme/config/pulls/1", patch.path());
    assertEquals("closed", patch.body().get("state").asText());
    Forge.PullRequest merged = forge().pullRequests("main", "b", true).get(0);
    assertTrue(merged.merged());
    assertEquals(SHA, merged.mergeCommit());
    ForgeException e = assertThrows(ForgeException.class, () -> forge().closePullRequest(b.number));
    assertEquals(412, e.status());
    assertTrue(e.getMessage().contains("already merged"), e.getMessage());
  }

  @Test
  void setsCommitStatusesWithContextDescriptionAndLink() throws Exception {
    start(true);
    forge()
        .setStatus(
            SHA, Forge.CommitState.FAILURE, "ordinal/shop/db", "rolled back", "https://o.example");
    FakeForge.Status status = gitea.statuses.get(0);
    assertEquals("failure", status.state());
    assertEquals("ordinal/shop/db", status.context());
    assertEquals("rolled back", status.description());
    assertEquals("https://o.example", status.targetUrl());
    assertEquals("/api/v1/repos/acme/config/statuses/" + SHA, gitea.requests.get(0).path());
  }

  @Test
  void everyRefusalNamesItsCauseWithoutTheTokenAndIsNotRetried() throws Exception {
    start(true);
    ForgeException unauthorized =
        assertThrows(
            ForgeException.class,
            () -> forge("acme/config", "wrong-token").pullRequests("main", null, false));
    assertEquals(401, unauthorized.status());
    assertTrue(
        unauthorized.getMessage().contains("invalid username, password or token"),
        unauthorized.getMessage());
    assertFalse(unauthorized.getMessage().contains("wrong-token"));
    assertEquals(
        404,
        assertThrows(ForgeException.class, () -> forge("acme/other", TOKEN).closePullRequest(1))
            .status());
    assertEquals(
        404,
        assertThrows(ForgeException.class, () -> forge().openPullRequest("gone", "main", "t", "b"))
            .status());
    assertEquals(
        422,
        assertThrows(ForgeException.class, () -> forge().openPullRequest("main", "main", "t", "b"))
            .status());
    gitea.add("x", "main", "open already");
    ForgeException duplicate =
        assertThrows(ForgeException.class, () -> forge().openPullRequest("x", "main", "t", "b"));
    assertEquals(409, duplicate.status());
    assertTrue(duplicate.getMessage().contains("already exists"), duplicate.getMessage());
    gitea.fail(new Fault(403, Map.of(), "{\"message\":\"user should have a permission\"}"));
    assertTrue(
        assertThrows(
                ForgeException.class,
                () -> forge().setStatus(SHA, Forge.CommitState.SUCCESS, "c", "d", null))
            .getMessage()
            .contains("write:repository"));
    assertTrue(slept.isEmpty());
    assertFalse(forge().toString().contains(TOKEN));
  }

  @Test
  void aRateLimitIsWaitedOutAndServerErrorsAreRetriedABoundedNumberOfTimes() throws Exception {
    start(true);
    gitea.fail(new Fault(429, Map.of("Retry-After", "3"), "{\"message\":\"too many\"}"));
    assertEquals(List.of(), forge().pullRequests("main", null, false));
    assertEquals(List.of(Duration.ofSeconds(3)), slept);
    slept.clear();
    for (int i = 0; i < 4; i++) {
      gitea.fail(new Fault(503, Map.of(), "{\"message\":\"unavailable\"}"));
    }
    ForgeException e =
        assertThrows(ForgeException.class, () -> forge().openPullRequest("x", "main", "t", "b"));
    assertEquals(503, e.status());
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), slept);
  }
}
