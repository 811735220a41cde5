package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.git.LogSafe;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * GitLab's REST API v4 for one project: list, create and close merge requests ({@code
 * /projects/:id/merge_requests}) and create commit statuses ({@code /projects/:id/statuses/:sha}).
 * The project id is its URL-encoded full path, so nested groups work ({@code group%2Fsub%2Fapp}).
 *
 * <p>Calls are bounded as {@link ForgeHttp} says; GitLab's rate limit is 429 with {@code
 * Retry-After}. A status set to the state it already has is answered 400 "Cannot transition status
 * via ..."; that is what was asked for, so it counts as done (a restarted Ordinal may repeat one).
 */
public final class GitLabForge implements Forge {
  private static final int PER_PAGE = 100;
  private static final int MAX_PAGES = 20;

  private static final ForgeHttp.Dialect DIALECT =
      new ForgeHttp.Dialect(
          "GitLab",
          // Authorization rather than PRIVATE-TOKEN: it takes personal, project, group and OAuth
          // tokens alike, and proxies and log scrubbers already treat it as a secret, which a
          // custom header cannot count on.
          (request, secret) ->
              request
                  .header("Accept", "application/json")
                  .header("Authorization", "Bearer " + secret),
          status ->
              switch (status) {
                case 400 -> "GitLab refused the request's parameters";
                case 403 ->
                    "the token may not do this; it needs the api scope and at least the Developer"
                        + " role";
                case 404 ->
                    "no such project, branch or merge request, or the token cannot see it; check"
                        + " forge.repository (the project's full path) and the token's access";
                case 409 -> "an open merge request from this branch already exists";
                case 422 -> "GitLab refused the request as invalid";
                default -> "GitLab answered with an error";
              },
          ForgeHttp::tooManyRequests);

  private final ForgeHttp http;
  private final String project;

  /**
   * @param api the API root: {@code https://gitlab.com/api/v4}, or {@code https://HOST/api/v4}
   * @param repository the project's full path, {@code group/project} or {@code group/sub/project}
   */
  public GitLabForge(URI api, String repository, ForgeCredential credential, ForgeClient client) {
    if (!repository.matches("[^/\\s]+(/[^/\\s]+)+")) {
      throw new IllegalArgumentException(
          "repository must be group/project, got '" + LogSafe.text(repository) + "'");
    }
    this.project = repository;
    this.http = new ForgeHttp(describe(repository), api, client, DIALECT, credential);
  }

  @Override
  public String describe() {
    return describe(project);
  }

  private static String describe(String project) {
    return "gitlab " + project;
  }

  @Override
  public String toString() {
    return "GitLabForge[" + http.api() + ", " + project + "]";
  }

  @Override
  public List<PullRequest> pullRequests(String base, String head, boolean includeClosed)
      throws ForgeException {
    String query =
        "?state="
            + (includeClosed ? "all" : "opened")
            + "&target_branch="
            + ForgeHttp.encode(base)
            + (head == null ? "" : "&source_branch=" + ForgeHttp.encode(head))
            + "&per_page="
            + PER_PAGE;
    List<PullRequest> all = new ArrayList<>();
    Optional<String> page = Optional.of("1");
    for (int pages = 0; page.isPresent() && pages < MAX_PAGES; pages++) {
      HttpResponse<String> response =
          http.send(
              "GET",
              URI.create(projectPath("/merge_requests") + query + "&page=" + page.get()),
              null,
              "list merge requests");
      for (JsonNode mr : http.read(response)) {
        all.add(mergeRequest(mr));
      }
      // The page number, not a link, so the token never follows a URL from an answer. Empty on
      // the last page.
      page =
          response
              .headers()
              .firstValue("x-next-page")
              .map(String::strip)
              .filter(n -> n.matches("\\d{1,6}"));
    }
    return all;
  }

  @Override
  public PullRequest openPullRequest(String head, String base, String title, String body)
      throws ForgeException {
    ObjectNode payload =
        ForgeHttp.JSON
            .createObjectNode()
            .put("source_branch", head)
            .put("target_branch", base)
            .put("title", title)
            .put("description", body);
    return mergeRequest(
        http.read(
            http.send(
                "POST",
                URI.create(projectPath("/merge_requests")),
                payload,
                "open a merge request")));
  }

  @Override
  public void closePullRequest(int number) throws ForgeException {
    http.send(
        "PUT",
        URI.create(projectPath("/merge_requests/" + number)),
        ForgeHttp.JSON.createObjectNode().put("state_event", "close"),
        "close merge request !" + number);
  }

  @Override
  public void setStatus(
      String commit, CommitState state, String context, String description, String targetUrl)
      throws ForgeException {
    ObjectNode payload =
        ForgeHttp.JSON
            .createObjectNode()
            .put(
                "state",
                switch (state) {
                  case PENDING -> "pending";
                  case SUCCESS -> "success";
                  case FAILURE -> "failed";
                })
            .put("name", context)
            .put("description", description);
    if (targetUrl != null) {
      payload.put("target_url", targetUrl);
    }
    http.send(
        "POST",
        URI.create(projectPath("/statuses/" + commit)),
        payload,
        "set status " + context + " on " + commit,
        GitLabForge::setOrAlreadySet);
  }

  private static boolean setOrAlreadySet(HttpResponse<String> response) {
    if (ForgeHttp.success(response)) {
      return true;
    }
    return response.statusCode() == 400
        && response.body() != null
        && response.body().contains("Cannot transition status via");
  }

  private String projectPath(String rest) {
    return http.api() + "/projects/" + ForgeHttp.encode(project) + rest;
  }

  private static PullRequest mergeRequest(JsonNode mr) {
    String state = mr.path("state").asText("");
    // A squashed merge can leave merge_commit_sha empty (fast-forward); the squash commit is then
    // what the target branch got.
    JsonNode commit =
        mr.path("merge_commit_sha").isTextual()
            ? mr.path("merge_commit_sha")
            : mr.path("squash_commit_sha");
    return new PullRequest(
        mr.path("iid").asInt(),
        mr.path("web_url").asText(""),
        mr.path("source_branch").asText(""),
        mr.path("target_branch").asText(""),
        "opened".equals(state),
        "merged".equals(state),
        commit.isTextual() ? commit.asText() : null);
  }
}
