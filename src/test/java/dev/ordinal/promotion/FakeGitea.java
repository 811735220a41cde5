package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Gitea's API ({@code /api/v1}) that Ordinal calls, in process, as Gitea's swagger and
 * router document it. {@code GET /repos/{owner}/{repo}/pulls}: {@code state} open, closed or all
 * (default open), {@code base_branch} (only when {@code filtersBaseBranch}, as newer versions do),
 * {@code page}, {@code limit} (default 30, at most 50, MAX_RESPONSE_ITEMS), with {@code
 * X-Total-Count} and a {@code Link} header written with ROOT_URL ({@code
 * https://gitea.example.com}, not this server). {@code POST .../pulls}: head, base, title, body;
 * 201; 422 when head equals base; 404 {@code ref "NAME" does not exist} when a branch is unknown;
 * 409 "pull request already exists for these targets" when an unmerged one from head into base
 * exists. {@code PATCH .../pulls/{index}} {@code state}: 201 (not 200, as Gitea answers); 412 once
 * merged. {@code POST .../statuses/{sha}}: state one of pending, success, error, failure, warning;
 * context; description; target_url; 201. Every request needs {@code Authorization: token TOKEN}
 * (Gitea also takes {@code Bearer}), else 401 "token is required", or "invalid username, password
 * or token" for a token Gitea does not know. Error bodies are Gitea's {@code {"message", "url"}}.
 */
public final class FakeGitea extends FakeForge {
  private static final Pattern REPO =
      Pattern.compile("/api/v1/repos/([^/]+)/([^/]+)(/pulls(?:/(\\d+))?|/statuses/([^/]+))");
  private static final String SWAGGER = "https://gitea.example.com/api/swagger";

  private final String owner;
  private final String repo;
  private final String token;
  private final Predicate<String> branchExists;
  private final boolean filtersBaseBranch;
  private final Map<Integer, FakeGitHub.Pr> pulls = new LinkedHashMap<>();
  private int nextIndex = 1;

  private FakeGitea(
      String repository, String token, Predicate<String> branchExists, boolean filtersBaseBranch)
      throws IOException {
    this.owner = repository.substring(0, repository.indexOf('/'));
    this.repo = repository.substring(repository.indexOf('/') + 1);
    this.token = token;
    this.branchExists = branchExists;
    this.filtersBaseBranch = filtersBaseBranch;
  }

  public static FakeGitea start(
      String repository, String token, Predicate<String> branchExists, boolean filtersBaseBranch)
      throws IOException {
    FakeGitea fake = new FakeGitea(repository, token, branchExists, filtersBaseBranch);
    fake.start();
    return fake;
  }

  /** The API root, {@code http://127.0.0.1:PORT/api/v1}. */
  public String api() {
    return root() + "/api/v1";
  }

  public synchronized FakeGitHub.Pr add(String head, String base, String title) {
    FakeGitHub.Pr pr = new FakeGitHub.Pr(nextIndex++, head, base, title, "");
    pulls.put(pr.number, pr);
    return pr;
  }

  public synchronized void merged(int index, String mergeCommit) {
    FakeGitHub.Pr pr = pulls.get(index);
    pr.state = "closed";
    pr.mergedAt = "2025-06-01T12:00:00Z";
    pr.mergeCommit = mergeCommit;
  }

  private static String error(String message) {
    return JSON.createObjectNode().put("message", message).put("url", SWAGGER).toString();
  }

  @Override
  protected void route(HttpExchange exchange, Seen seen) throws IOException {
    String auth = seen.authorization();
    if (auth == null || auth.isBlank()) {
      send(exchange, 401, error("token is required"));
      return;
    }
    if (!("token " + token).equals(auth) && !("Bearer " + token).equals(auth)) {
      // Gitea 1.27.3's answer to a token it does not know, as GiteaIT sees it.
      send(exchange, 401, error("invalid username, password or token"));
      return;
    }
    Matcher m = REPO.matcher(seen.path());
    if (!m.matches() || !m.group(1).equals(owner) || !m.group(2).equals(repo)) {
      send(exchange, 404, error("The target couldn't be found."));
      return;
    }
    JsonNode body = seen.body();
    if (m.group(5) != null) {
      status(exchange, m.group(5), seen.method(), body);
    } else if (m.group(4) != null) {
      edit(exchange, Integer.parseInt(m.group(4)), seen.method(), body);
    } else if (seen.method().equals("GET")) {
      list(exchange, query(seen.query()));
    } else if (seen.method().equals("POST")) {
      create(exchange, body);
    } else {
      send(exchange, 405, error("method not allowed"));
    }
  }

  private void list(HttpExchange exchange, Map<String, String> q) throws IOException {
    String state = q.getOrDefault("state", "open");
    int limit = Math.min(50, number(q, "limit", 30));
    int page = Math.max(1, number(q, "page", 1));
    List<FakeGitHub.Pr> matching =
        pulls.values().stream()
            .filter(pr -> state.equals("all") || pr.state.equals(state))
            .filter(
                pr ->
                    !filtersBaseBranch
                        || !q.containsKey("base_branch")
                        || pr.base.equals(q.get("base_branch")))
            .toList();
    int from = Math.min(matching.size(), (page - 1) * limit);
    int to = Math.min(matching.size(), from + limit);
    ArrayNode out = JSON.createArrayNode();
    matching.subList(from, to).forEach(pr -> out.add(json(pr)));
    exchange.getResponseHeaders().add("X-Total-Count", String.valueOf(matching.size()));
    if (to < matching.size()) {
      exchange
          .getResponseHeaders()
          .add(
              "Link",
              "<https://gitea.example.com/api/v1/repos/"
                  + owner
                  + "/"
                  + repo
                  + "/pulls?limit="
                  + limit
                  + "&page="
                  + (page + 1)
                  + ">; rel=\"next\"");
    }
    send(exchange, 200, out.toString());
  }

  private void create(HttpExchange exchange, JsonNode body) throws IOException {
    String head = body == null ? "" : body.path("head").asText("");
    String base = body == null ? "" : body.path("base").asText("");
    if (head.equals(base)) {
      send(
          exchange,
          422,
          error("Invalid PullRequest: There are no changes between the head and the base"));
      return;
    }
    for (String branch : List.of(base, head)) {
      if (!branchExists.test(branch)) {
        send(exchange, 404, error("ref \"" + branch + "\" does not exist"));
        return;
      }
    }
    for (FakeGitHub.Pr pr : pulls.values()) {
      if (pr.mergedAt == null && pr.head.equals(head) && pr.base.equals(base)) {
        send(
            exchange,
            409,
            error(
                "pull request already exists for these targets [id: "
                    + pr.number
                    + ", issue_id: "
                    + pr.number
                    + ", head_repo_id: 1, base_repo_id: 1, head_branch: "
                    + head
                    + ", base_branch: "
                    + base
                    + "]"));
        return;
      }
    }
    FakeGitHub.Pr pr =
        new FakeGitHub.Pr(
            nextIndex++, head, base, body.path("title").asText(""), body.path("body").asText(""));
    pulls.put(pr.number, pr);
    send(exchange, 201, json(pr).toString());
  }

  private void edit(HttpExchange exchange, int index, String method, JsonNode body)
      throws IOException {
    FakeGitHub.Pr pr = pulls.get(index);
    if (pr == null || !method.equals("PATCH")) {
      send(exchange, 404, error("The target couldn't be found."));
      return;
    }
    String state = body == null ? null : body.path("state").asText(null);
    if (state != null) {
      if (pr.mergedAt != null) {
        send(
            exchange,
            412,
            error("cannot change state of this pull request, it was already merged"));
        return;
      }
      pr.state = state;
    }
    send(exchange, 201, json(pr).toString());
  }

  private void status(HttpExchange exchange, String sha, String method, JsonNode body)
      throws IOException {
    String state = body == null ? "" : body.path("state").asText("");
    if (!method.equals("POST")
        || !List.of("pending", "success", "error", "failure", "warning").contains(state)) {
      send(exchange, 422, error("[State]: invalid commit status state"));
      return;
    }
    Status status =
        new Status(
            sha,
            state,
            body.path("context").asText(""),
            body.path("description").asText(""),
            body.path("target_url").asText(null));
    statuses.add(status);
    ObjectNode answer = JSON.createObjectNode();
    answer.put("id", statuses.size());
    answer.put("status", state);
    answer.put("context", status.context());
    answer.put("description", status.description());
    answer.put("target_url", status.targetUrl());
    send(exchange, 201, answer.toString());
  }

  private ObjectNode json(FakeGitHub.Pr pr) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", 100 + pr.number);
    node.put("number", pr.number);
    node.put("html_url", "https://gitea.example.com/" + owner + "/" + repo + "/pulls/" + pr.number);
    node.put("state", pr.state);
    node.put("title", pr.title);
    node.put("body", pr.body);
    node.put("merged", pr.mergedAt != null);
    node.put("merged_at", pr.mergedAt);
    node.put("merge_commit_sha", pr.mergeCommit);
    node.putObject("head").put("label", pr.head).put("ref", pr.head).put("repo_id", 1);
    node.putObject("base").put("label", pr.base).put("ref", pr.base).put("repo_id", 1);
    return node;
  }
}
