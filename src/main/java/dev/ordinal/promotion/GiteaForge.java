package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Gitea's REST API ({@code /api/v1}) for one repository: list, create and close pull requests
 * ({@code /repos/{owner}/{repo}/pulls}) and create commit statuses ({@code
 * /repos/{owner}/{repo}/statuses/{sha}}), with the token sent as {@code Authorization: token}.
 *
 * <p>Calls are bounded as {@link ForgeHttp} says (a rate limit, from Gitea or a proxy in front of
 * it, is 429 with {@code Retry-After}).
 */
public final class GiteaForge implements Forge {
  /** Gitea's default [api] MAX_RESPONSE_ITEMS: it answers no more per page whatever is asked. */
  private static final int LIMIT = 50;

  private static final int MAX_PAGES = 40;

  private static final ForgeHttp.Dialect DIALECT =
      new ForgeHttp.Dialect(
          "Gitea",
          (request, secret) ->
              request
                  .header("Accept", "application/json")
                  .header("Authorization", "token " + secret),
          status ->
              switch (status) {
                case 403 -> "the token may not do this; it needs the write:repository scope";
                case 404 ->
                    "no such repository, branch or pull request, or the token cannot see it;"
                        + " check forge.repository and the token's access";
                case 409 -> "an open pull request from this branch into the base already exists";
                case 412 -> "the pull request was merged meanwhile; its state cannot change";
                case 422 -> "Gitea refused the request as invalid";
                case 423 -> "the repository is archived";
                default -> "Gitea answered with an error";
              },
          ForgeHttp::tooManyRequests);

  private final ReposApi repos;

  /**
   * @param api the API root, {@code https://HOST/api/v1}
   * @param repository {@code owner/name}
   */
  public GiteaForge(URI api, String repository, ForgeCredential credential, ForgeClient client) {
    this.repos = new ReposApi("gitea", api, repository, client, DIALECT, credential);
  }

  @Override
  public String describe() {
    return repos.describe();
  }

  @Override
  public String toString() {
    return "GiteaForge[" + repos + "]";
  }

  @Override
  public List<PullRequest> pullRequests(String base, String head, boolean includeClosed)
      throws ForgeException {
    // Gitea filters by state (newer versions by base_branch too; older ones ignore it) and never
    // by head, so base and head are checked here.
    String query =
        "?state="
            + (includeClosed ? "all" : "open")
            + "&base_branch="
            + ForgeHttp.encode(base)
            + "&limit="
            + LIMIT;
    List<PullRequest> all = new ArrayList<>();
    int seen = 0;
    for (int page = 1; page <= MAX_PAGES; page++) {
      HttpResponse<String> response =
          repos.http.send(
              "GET",
              URI.create(repos.path("/pulls") + query + "&page=" + page),
              null,
              "list pull requests");
      JsonNode items = repos.http.read(response);
      for (JsonNode pr : items) {
        PullRequest parsed = ReposApi.pullRequest(pr);
        if (parsed.base().equals(base) && (head == null || parsed.head().equals(head))) {
          all.add(parsed);
        }
      }
      seen += items.size();
      // Page numbers rather than the Link header: Gitea writes links with its ROOT_URL, which
      // need not be the address Ordinal reaches the API at.
      Optional<Long> total =
          response
              .headers()
              .firstValue("x-total-count")
              .map(String::strip)
              .filter(n -> n.matches("\\d{1,12}"))
              .map(Long::parseLong);
      boolean last = total.isPresent() ? seen >= total.get() : items.size() < LIMIT;
      if (items.isEmpty() || last) {
        break;
      }
    }
    return all;
  }

  @Override
  public PullRequest openPullRequest(String head, String base, String title, String body)
      throws ForgeException {
    return repos.open(ReposApi.pullPayload(head, base, title, body));
  }

  @Override
  public void closePullRequest(int number) throws ForgeException {
    repos.close(number);
  }

  @Override
  public void setStatus(
      String commit, CommitState state, String context, String description, String targetUrl)
      throws ForgeException {
    repos.status(commit, state, context, description, targetUrl);
  }
}
