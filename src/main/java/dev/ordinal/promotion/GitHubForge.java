package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.git.LogSafe;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub's REST API (v2022-11-28) for one repository: list, create and close pull requests ({@code
 * /repos/{owner}/{repo}/pulls}) and create commit statuses ({@code
 * /repos/{owner}/{repo}/statuses/{sha}}), with a token sent as {@code Authorization: Bearer}.
 *
 * <p>Retries are bounded: a 5xx answer or a network error is tried {@value #ATTEMPTS} times in all,
 * a rate limit (429, or 403 with {@code Retry-After} or {@code x-ratelimit-remaining: 0}) is waited
 * out once it asks for at most {@code maxWait}; a longer wait fails at once with the time to wait,
 * so the caller tries again later and no rollout ever waits for GitHub. 401, 404, 409 and 422 are
 * not retried: they need a person.
 */
public final class GitHubForge implements Forge {
  static final int ATTEMPTS = 3;
  private static final int PER_PAGE = 100;
  private static final int MAX_PAGES = 20;
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How the adapter waits between attempts; tests record instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final URI api;
  private final String owner;
  private final String repo;
  private final String token;
  private final HttpClient http;
  private final Sleeper sleeper;
  private final Clock clock;
  private final Duration maxWait;

  /**
   * @param api the API root: {@code https://api.github.com}, or {@code https://HOST/api/v3} for
   *     GitHub Enterprise Server
   * @param repository {@code owner/name}
   */
  public GitHubForge(
      URI api,
      String repository,
      String token,
      HttpClient http,
      Sleeper sleeper,
      Clock clock,
      Duration maxWait) {
    String root = api.toString();
    this.api = URI.create(root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
    int slash = repository.indexOf('/');
    if (slash <= 0 || slash != repository.lastIndexOf('/') || slash == repository.length() - 1) {
      throw new IllegalArgumentException(
          "repository must be owner/name, got '" + LogSafe.text(repository) + "'");
    }
    this.owner = repository.substring(0, slash);
    this.repo = repository.substring(slash + 1);
    this.token = Objects.requireNonNull(token, "token");
    this.http = http;
    this.sleeper = sleeper;
    this.clock = clock;
    this.maxWait = maxWait;
  }

  /** With the system's clock, real sleeps and at most a minute's wait for a rate limit. */
  public static GitHubForge of(URI api, String repository, String token) {
    return new GitHubForge(
        api,
        repository,
        token,
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
        d -> Thread.sleep(d.toMillis()),
        Clock.systemUTC(),
        Duration.ofMinutes(1));
  }

  @Override
  public String describe() {
    return "github " + owner + "/" + repo;
  }

  @Override
  public String toString() {
    return "GitHubForge[" + api + ", " + owner + "/" + repo + ", token=***]";
  }

  @Override
  public List<PullRequest> pullRequests(String base, String head, boolean includeClosed)
      throws ForgeException {
    StringBuilder query =
        new StringBuilder("?state=")
            .append(includeClosed ? "all" : "open")
            .append("&base=")
            .append(encode(base))
            .append("&per_page=")
            .append(PER_PAGE);
    if (head != null) {
      query.append("&head=").append(encode(owner + ":" + head));
    }
    List<PullRequest> all = new ArrayList<>();
    URI next = URI.create(repoPath("/pulls") + query);
    for (int page = 0; next != null && page < MAX_PAGES; page++) {
      HttpResponse<String> response = send("GET", next, null, "list pull requests");
      for (JsonNode pr : read(response)) {
        all.add(pullRequest(pr));
      }
      next = sameOrigin(nextPage(response));
    }
    return all;
  }

  @Override
  public PullRequest openPullRequest(String head, String base, String title, String body)
      throws ForgeException {
    ObjectNode payload =
        JSON.createObjectNode()
            .put("title", title)
            .put("head", head)
            .put("base", base)
            .put("body", body)
            .put("maintainer_can_modify", false);
    return pullRequest(
        read(send("POST", URI.create(repoPath("/pulls")), payload, "open a pull request")));
  }

  @Override
  public void closePullRequest(int number) throws ForgeException {
    send(
        "PATCH",
        URI.create(repoPath("/pulls/" + number)),
        JSON.createObjectNode().put("state", "closed"),
        "close pull request #" + number);
  }

  @Override
  public void setStatus(
      String commit, CommitState state, String context, String description, String targetUrl)
      throws ForgeException {
    ObjectNode payload =
        JSON.createObjectNode()
            .put("state", state.name().toLowerCase(Locale.ROOT))
            .put("context", context)
            // GitHub refuses descriptions over 140 characters with 422.
            .put("description", cut(description, 140));
    if (targetUrl != null) {
      payload.put("target_url", targetUrl);
    }
    send(
        "POST",
        URI.create(repoPath("/statuses/" + commit)),
        payload,
        "set status " + context + " on " + commit);
  }

  private String repoPath(String rest) {
    return api + "/repos/" + encode(owner) + "/" + encode(repo) + rest;
  }

  private static PullRequest pullRequest(JsonNode pr) {
    return new PullRequest(
        pr.path("number").asInt(),
        pr.path("html_url").asText(""),
        pr.path("head").path("ref").asText(""),
        pr.path("base").path("ref").asText(""),
        "open".equals(pr.path("state").asText()),
        !pr.path("merged_at").isNull() && !pr.path("merged_at").isMissingNode(),
        pr.path("merge_commit_sha").isTextual() ? pr.path("merge_commit_sha").asText() : null);
  }

  private HttpResponse<String> send(String method, URI uri, JsonNode body, String what)
      throws ForgeException {
    ForgeException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(30))
              .header("Accept", "application/vnd.github+json")
              .header("Authorization", "Bearer " + token)
              .header("X-GitHub-Api-Version", "2022-11-28")
              .header("User-Agent", "ordinal");
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
      }
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        last =
            new ForgeException(
                0,
                describe()
                    + ": cannot "
                    + what
                    + ": "
                    + LogSafe.text(e.getClass().getSimpleName() + " " + e.getMessage())
                    + "; check the api address and the network");
        pause(backoff(attempt), last);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ForgeException(0, describe() + ": interrupted while trying to " + what);
      }
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return response;
      }
      Optional<Duration> limited = rateLimit(response);
      if (limited.isPresent()) {
        last =
            new ForgeException(
                status,
                describe()
                    + ": rate limited while trying to "
                    + what
                    + "; GitHub allows the next call in "
                    + limited.get().toSeconds()
                    + "s",
                limited.get());
        if (limited.get().compareTo(maxWait) > 0) {
          throw last;
        }
        pause(limited.get(), last);
        continue;
      }
      last = new ForgeException(status, describe() + ": cannot " + what + ": " + explain(response));
      if (status < 500) {
        throw last;
      }
      pause(backoff(attempt), last);
    }
    throw last;
  }

  private void pause(Duration d, ForgeException ifInterrupted) throws ForgeException {
    if (d == null) {
      return;
    }
    try {
      sleeper.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ifInterrupted;
    }
  }

  /** 1s, 2s, ... between attempts; none after the last one. */
  private static Duration backoff(int attempt) {
    return attempt >= ATTEMPTS ? null : Duration.ofSeconds(1L << (attempt - 1));
  }

  /** GitHub's documented rate-limit answers: 429, or 403 with Retry-After or no calls left. */
  private Optional<Duration> rateLimit(HttpResponse<String> response) {
    int status = response.statusCode();
    if (status != 403 && status != 429) {
      return Optional.empty();
    }
    Optional<String> retryAfter = response.headers().firstValue("retry-after");
    if (retryAfter.isPresent()) {
      try {
        return Optional.of(
            Duration.ofSeconds(Math.max(0, Long.parseLong(retryAfter.get().strip()))));
      } catch (NumberFormatException e) {
        return Optional.of(Duration.ofSeconds(60));
      }
    }
    if ("0".equals(response.headers().firstValue("x-ratelimit-remaining").orElse(null))) {
      long reset =
          response
              .headers()
              .firstValue("x-ratelimit-reset")
              .map(v -> v.strip().matches("\\d{1,12}") ? Long.parseLong(v.strip()) : 0L)
              .orElse(0L);
      Duration wait = Duration.between(clock.instant(), Instant.ofEpochSecond(reset));
      return Optional.of(wait.isNegative() ? Duration.ofSeconds(1) : wait);
    }
    // A secondary rate limit without headers: GitHub says wait at least a minute.
    return status == 429 ? Optional.of(Duration.ofSeconds(60)) : Optional.empty();
  }

  /** The status with GitHub's message and what to do, the body's text escaped and cut. */
  private String explain(HttpResponse<String> response) {
    String message = "";
    try {
      JsonNode body = JSON.readTree(response.body());
      message = body.path("message").asText("");
      for (JsonNode error : body.path("errors")) {
        String text = error.path("message").asText(error.path("code").asText(""));
        if (!text.isEmpty()) {
          message += ": " + text;
        }
      }
    } catch (IOException | RuntimeException e) {
      message = "";
    }
    String hint =
        switch (response.statusCode()) {
          case 401 -> "the token is missing, expired or revoked; replace the token file";
          case 403 ->
              "the token may not do this; it needs pull requests and commit statuses: write";
          case 404 ->
              "no such repository, branch or pull request, or the token cannot see it; check"
                  + " forge.repository and the token's repository access";
          case 409 -> "the repository is in a conflicting state (e.g. empty or archived)";
          case 422 -> "GitHub refused the request as invalid";
          default -> "GitHub answered with an error";
        };
    return "HTTP "
        + response.statusCode()
        + (message.isEmpty() ? "" : " " + LogSafe.text(message))
        + " ("
        + hint
        + ")";
  }

  private static JsonNode read(HttpResponse<String> response) throws ForgeException {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new ForgeException(
          response.statusCode(), "GitHub answered with something that is not JSON");
    }
  }

  private static URI nextPage(HttpResponse<String> response) {
    Optional<String> link = response.headers().firstValue("link");
    if (link.isEmpty()) {
      return null;
    }
    Matcher m = NEXT.matcher(link.get());
    return m.find() ? URI.create(m.group(1)) : null;
  }

  /** The next page, only on the API's own origin: the token never follows a link elsewhere. */
  private URI sameOrigin(URI next) throws ForgeException {
    if (next == null) {
      return null;
    }
    if (!Objects.equals(next.getScheme(), api.getScheme())
        || !Objects.equals(next.getHost(), api.getHost())
        || next.getPort() != api.getPort()) {
      throw new ForgeException(
          0, describe() + ": the next page is on another host; not following it with the token");
    }
    return next;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}
