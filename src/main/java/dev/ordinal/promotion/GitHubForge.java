package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub's REST API (v2022-11-28) for one repository: list, create and close pull requests ({@code
 * /repos/{owner}/{repo}/pulls}) and create commit statuses ({@code
 * /repos/{owner}/{repo}/statuses/{sha}}), with a token or a GitHub App's installation token sent as
 * {@code Authorization: Bearer}.
 *
 * <p>Calls are bounded as {@link ForgeHttp} says; GitHub's rate limits are 429, or 403 with {@code
 * Retry-After} or {@code x-ratelimit-remaining: 0}.
 */
public final class GitHubForge implements Forge {
  private static final int PER_PAGE = 100;
  private static final int MAX_PAGES = 20;
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");

  /** GitHub's headers and its documented error and rate-limit answers. */
  static final ForgeHttp.Dialect DIALECT =
      new ForgeHttp.Dialect(
          "GitHub",
          (request, secret) ->
              request
                  .header("Accept", "application/vnd.github+json")
                  .header("Authorization", "Bearer " + secret)
                  .header("X-GitHub-Api-Version", "2022-11-28"),
          status ->
              switch (status) {
                case 403 ->
                    "the token may not do this; it needs pull requests and commit statuses: write";
                case 404 ->
                    "no such repository, branch or pull request, or the token cannot see it;"
                        + " check forge.repository and the token's repository access";
                case 409 -> "the repository is in a conflicting state (e.g. empty or archived)";
                case 422 -> "GitHub refused the request as invalid";
                default -> "GitHub answered with an error";
              },
          GitHubForge::rateLimit);

  private final ReposApi repos;

  /**
   * @param api the API root: {@code https://api.github.com}, or {@code https://HOST/api/v3} for
   *     GitHub Enterprise Server
   * @param repository {@code owner/name}
   */
  public GitHubForge(URI api, String repository, ForgeCredential credential, ForgeClient client) {
    this.repos = new ReposApi("github", api, repository, client, DIALECT, credential);
  }

  @Override
  public String describe() {
    return repos.describe();
  }

  @Override
  public String toString() {
    return "GitHubForge[" + repos + "]";
  }

  @Override
  public List<PullRequest> pullRequests(String base, String head, boolean includeClosed)
      throws ForgeException {
    StringBuilder query =
        new StringBuilder("?state=")
            .append(includeClosed ? "all" : "open")
            .append("&base=")
            .append(ForgeHttp.encode(base))
            .append("&per_page=")
            .append(PER_PAGE);
    if (head != null) {
      query.append("&head=").append(ForgeHttp.encode(repos.owner + ":" + head));
    }
    List<PullRequest> all = new ArrayList<>();
    URI next = URI.create(repos.path("/pulls") + query.toString());
    for (int page = 0; next != null && page < MAX_PAGES; page++) {
      HttpResponse<String> response = repos.http.send("GET", next, null, "list pull requests");
      for (JsonNode pr : repos.http.read(response)) {
        all.add(ReposApi.pullRequest(pr));
      }
      next = repos.http.sameOrigin(nextPage(response));
    }
    return all;
  }

  @Override
  public PullRequest openPullRequest(String head, String base, String title, String body)
      throws ForgeException {
    return repos.open(
        ReposApi.pullPayload(head, base, title, body).put("maintainer_can_modify", false));
  }

  @Override
  public void closePullRequest(int number) throws ForgeException {
    repos.close(number);
  }

  @Override
  public void setStatus(
      String commit, CommitState state, String context, String description, String targetUrl)
      throws ForgeException {
    // GitHub refuses descriptions over 140 characters with 422.
    repos.status(commit, state, context, ForgeHttp.cut(description, 140), targetUrl);
  }

  /** GitHub's rate limits: 429, or 403 with Retry-After or no calls left until a reset. */
  private static Optional<Duration> rateLimit(HttpResponse<String> response, Instant now) {
    int status = response.statusCode();
    if (status != 403 && status != 429) {
      return Optional.empty();
    }
    Optional<Duration> retryAfter = ForgeHttp.retryAfter(response, now);
    if (retryAfter.isPresent()) {
      return retryAfter;
    }
    if ("0".equals(response.headers().firstValue("x-ratelimit-remaining").orElse(null))) {
      long reset =
          response
              .headers()
              .firstValue("x-ratelimit-reset")
              .map(v -> v.strip().matches("\\d{1,12}") ? Long.parseLong(v.strip()) : 0L)
              .orElse(0L);
      Duration wait = Duration.between(now, Instant.ofEpochSecond(reset));
      return Optional.of(wait.isNegative() ? Duration.ofSeconds(1) : wait);
    }
    // A secondary rate limit without headers: GitHub says wait at least a minute.
    return status == 429 ? Optional.of(Duration.ofSeconds(60)) : Optional.empty();
  }

  private static URI nextPage(HttpResponse<String> response) {
    Optional<String> link = response.headers().firstValue("link");
    if (link.isEmpty()) {
      return null;
    }
    Matcher m = NEXT.matcher(link.get());
    return m.find() ? URI.create(m.group(1)) : null;
  }
}
