package dev.ordinal.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.testkit.GiteaServer;
import dev.ordinal.testkit.StatefulSets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GiteaForge} against a real Gitea ({@link GiteaServer}): a repository made through the API,
 * branches pushed over Gitea's smart HTTP with JGit, and every call the adapter makes checked by
 * reading Gitea's own answer back through its API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GiteaIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REPO = "config";
  private static final Duration SETTLE = Duration.ofSeconds(30);

  @TempDir static Path tmp;
  private GiteaServer gitea;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void startGiteaWithARepository() throws Exception {
    gitea = GiteaServer.start(tmp.resolve("gitea"));
    ObjectNode repo = JSON.createObjectNode().put("name", REPO).put("default_branch", "main");
    assertEquals(201, call("POST", "/user/repos", repo).status(), "create the repository");
    push(
        tmp.resolve("work"),
        List.of("promote/close", "promote/merge", "promote/status", "promote/into-nowhere"));
  }

  @AfterAll
  void stopGitea() {
    if (gitea != null) {
      gitea.close();
    }
  }

  /** main with one commit, and each branch with one commit of its own on top of it. */
  private void push(Path dir, List<String> branches) throws Exception {
    try (Git git = Git.init().setInitialBranch("main").setDirectory(dir.toFile()).call()) {
      Files.writeString(dir.resolve("values.yaml"), "image: app:1\n");
      git.add().addFilepattern("values.yaml").call();
      git.commit().setMessage("first").setAuthor("t", "t@example.com").call();
      for (String branch : branches) {
        git.checkout().setCreateBranch(true).setName(branch).setStartPoint("main").call();
        String file = branch.replace('/', '-') + ".yaml";
        Files.writeString(dir.resolve(file), "branch: " + branch + "\n");
        git.add().addFilepattern(file).call();
        git.commit().setMessage("change on " + branch).setAuthor("t", "t@example.com").call();
      }
      var push =
          git.push()
              .setRemote(gitea.root().resolve(gitea.user() + "/" + REPO + ".git").toString())
              .setCredentialsProvider(
                  new UsernamePasswordCredentialsProvider(gitea.user(), gitea.token()))
              .add("main");
      branches.forEach(push::add);
      for (PushResult result : push.call()) {
        for (RemoteRefUpdate update : result.getRemoteUpdates()) {
          assertEquals(RemoteRefUpdate.Status.OK, update.getStatus(), update.getRemoteName());
        }
      }
    }
    // Gitea learns of pushed branches in its post-receive hook, after the push has returned; a
    // pull request from a branch it has not recorded yet is a 404.
    for (String branch : Stream.concat(Stream.of("main"), branches.stream()).toList()) {
      StatefulSets.await(
          "Gitea to list branch " + branch,
          SETTLE,
          () -> call("GET", "/repos/" + repository() + "/branches/" + branch, null).status() == 200,
          gitea::log);
    }
  }

  private String repository() {
    return gitea.user() + "/" + REPO;
  }

  private GiteaForge forge(String token) {
    return new GiteaForge(
        gitea.api(), repository(), new ForgeCredential.Token(token), ForgeClient.standard());
  }

  private GiteaForge forge() {
    return forge(gitea.token());
  }

  /** Gitea's answer; the body is read as JSON only when asked, as a panic answers plain text. */
  record Answer(int status, String text) {
    JsonNode body() {
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new AssertionError("HTTP " + status + " with no JSON: " + text, e);
      }
    }
  }

  /** A call to Gitea's API as the admin user, outside the adapter under test. */
  private Answer call(String method, String path, JsonNode body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(gitea.api() + path))
            .header("Authorization", "token " + gitea.token())
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private String head(String branch) {
    return call("GET", "/repos/" + repository() + "/branches/" + branch, null)
        .body()
        .path("commit")
        .path("id")
        .asText();
  }

  @Test
  void aPullRequestIsOpenedFoundByHeadAndBaseThenClosed() throws Exception {
    Forge.PullRequest opened =
        forge().openPullRequest("promote/close", "main", "Promote to prod", "why");
    assertTrue(opened.open());
    assertFalse(opened.merged());
    assertEquals("promote/close", opened.head());
    assertEquals("main", opened.base());
    assertEquals(
        gitea.root().resolve(repository() + "/pulls/" + opened.number()).toString(), opened.url());

    assertEquals(List.of(opened), forge().pullRequests("main", "promote/close", false));
    assertEquals(List.of(opened), forge().pullRequests("main", "promote/close", true));
    assertTrue(forge().openWithHeadPrefix("main", "promote/").contains(opened));
    assertEquals(List.of(), forge().pullRequests("other", "promote/close", true));

    forge().closePullRequest(opened.number());

    assertEquals(List.of(), forge().pullRequests("main", "promote/close", false));
    List<Forge.PullRequest> all = forge().pullRequests("main", "promote/close", true);
    assertEquals(1, all.size(), all::toString);
    assertEquals(opened.number(), all.get(0).number());
    assertFalse(all.get(0).open());
    assertFalse(all.get(0).merged());
    assertEquals(
        "closed",
        call("GET", "/repos/" + repository() + "/pulls/" + opened.number(), null)
            .body()
            .path("state")
            .asText());
  }

  @Test
  void commitStatusesAreReadBackWithTheirContextAndTargetUrl() throws Exception {
    String sha = head("promote/status");
    String url = "https://ordinal.example.com/rollouts/db";
    forge().setStatus(sha, Forge.CommitState.PENDING, "ordinal/prod", "rolling out", url);
    forge().setStatus(sha, Forge.CommitState.SUCCESS, "ordinal/prod", "rolled out", url);
    forge().setStatus(sha, Forge.CommitState.FAILURE, "ordinal/staging", "analysis failed", url);

    Answer statuses = call("GET", "/repos/" + repository() + "/commits/" + sha + "/statuses", null);
    assertEquals(200, statuses.status());
    Set<String> seen =
        StreamSupport.stream(statuses.body().spliterator(), false)
            .map(
                s ->
                    s.path("context").asText()
                        + " "
                        + s.path("status").asText()
                        + " "
                        + s.path("description").asText()
                        + " "
                        + s.path("target_url").asText())
            .collect(Collectors.toSet());
    assertEquals(
        Set.of(
            "ordinal/prod pending rolling out " + url,
            "ordinal/prod success rolled out " + url,
            "ordinal/staging failure analysis failed " + url),
        seen);
    // The combined state keeps the latest per context: prod's success, staging's failure.
    JsonNode combined =
        call("GET", "/repos/" + repository() + "/commits/" + sha + "/status", null).body();
    assertEquals("failure", combined.path("state").asText(), combined::toString);
  }

  @Test
  void aPullRequestMergedInGiteaIsReportedMergedWithItsMergeCommit() throws Exception {
    Forge.PullRequest opened = forge().openPullRequest("promote/merge", "main", "Promote", "why");
    Answer merge =
        call(
            "POST",
            "/repos/" + repository() + "/pulls/" + opened.number() + "/merge",
            JSON.createObjectNode().put("Do", "merge"));
    assertEquals(200, merge.status(), merge::text);

    StatefulSets.await(
        "Gitea to report pull request #" + opened.number() + " merged",
        SETTLE,
        () -> forgeSees(opened.number()).merged(),
        () -> forgeSees(opened.number()));
    Forge.PullRequest merged = forgeSees(opened.number());
    assertFalse(merged.open());
    assertEquals(head("main"), merged.mergeCommit());
    assertEquals(List.of(), forge().pullRequests("main", "promote/merge", false));
  }

  private Forge.PullRequest forgeSees(int number) {
    try {
      return forge().pullRequests("main", "promote/merge", true).stream()
          .filter(pr -> pr.number() == number)
          .findFirst()
          .orElseThrow();
    } catch (ForgeException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aWrongTokenGetsTheAdapters401MessageWithoutTheToken() {
    String wrong = "0123456789abcdef0123456789abcdef01234567";
    ForgeException refused =
        assertThrows(ForgeException.class, () -> forge(wrong).pullRequests("main", null, false));
    assertEquals(401, refused.status());
    assertTrue(
        refused.getMessage().contains("invalid username, password or token"), refused.getMessage());
    assertTrue(refused.getMessage().contains("replace the token file"), refused.getMessage());
    assertFalse(refused.getMessage().contains(wrong), refused.getMessage());
    assertFalse(refused.getMessage().contains(gitea.token()), refused.getMessage());
  }

  @Test
  void aPullRequestIntoAMissingBaseGetsTheAdaptersMessage() {
    ForgeException refused =
        assertThrows(
            ForgeException.class,
            () -> forge().openPullRequest("promote/into-nowhere", "no-such-base", "t", "b"));
    assertEquals(404, refused.status(), refused.getMessage());
    assertTrue(
        refused.getMessage().contains("ref \"no-such-base\" does not exist"), refused.getMessage());
    assertTrue(
        refused.getMessage().contains("no such repository, branch or pull request"),
        refused.getMessage());
    assertFalse(refused.getMessage().contains(gitea.token()), refused.getMessage());
  }
}
