package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of GitLab's REST API v4 that Ordinal calls, in process, as GitLab documents it. {@code
 * :id} is the project's numeric id or its URL-encoded full path (otherwise 404 "404 Project Not
 * Found"). {@code GET /projects/:id/merge_requests}: {@code state} (opened, closed, locked, merged,
 * all; default all), {@code source_branch}, {@code target_branch}, {@code page}, {@code per_page}
 * (default 20, at most 100), with the X-Page, X-Per-Page, X-Total, X-Total-Pages, X-Prev-Page and
 * X-Next-Page headers (X-Next-Page empty on the last page). {@code POST
 * /projects/:id/merge_requests}: source_branch, target_branch and title required (400 "... is
 * missing"), description; 409 with a list message when an open one from that source into that
 * target exists; 422 for an unknown branch. {@code PUT /projects/:id/merge_requests/:iid}: {@code
 * state_event} close or reopen. {@code POST /projects/:id/statuses/:sha}: {@code state} pending,
 * running, success, failed, canceled or skipped (else 400), {@code name} or {@code context}
 * (default "default"), description, target_url; posting the state a running or pending status
 * already has is 400 "Cannot transition status via ...". Every request needs {@code Authorization:
 * Bearer TOKEN} or {@code PRIVATE-TOKEN: TOKEN} (else 401 "401 Unauthorized").
 */
public final class FakeGitLab extends FakeForge {
  private static final Pattern PROJECT =
      Pattern.compile("/api/v4/projects/([^/]+)(/merge_requests(?:/(\\d+))?|/statuses/([^/]+))");

  /** A merge request as the fake keeps it. */
  public static final class Mr {
    public final int iid;
    public final String source;
    public final String target;
    public final String title;
    public final String description;
    public volatile String state = "opened";
    public volatile String mergeCommit;
    public volatile String squashCommit;

    Mr(int iid, String source, String target, String title, String description) {
      this.iid = iid;
      this.source = source;
      this.target = target;
      this.title = title;
      this.description = description;
    }
  }

  private final String project;
  private final String token;
  private final Predicate<String> branchExists;
  private final Map<Integer, Mr> mergeRequests = new LinkedHashMap<>();
  private int nextIid = 1;

  private FakeGitLab(String project, String token, Predicate<String> branchExists)
      throws IOException {
    this.project = project;
    this.token = token;
    this.branchExists = branchExists;
  }

  public static FakeGitLab start(String project, String token, Predicate<String> branchExists)
      throws IOException {
    FakeGitLab fake = new FakeGitLab(project, token, branchExists);
    fake.start();
    return fake;
  }

  /** The API root, {@code http://127.0.0.1:PORT/api/v4}. */
  public String api() {
    return root() + "/api/v4";
  }

  public synchronized List<Mr> mergeRequests() {
    return new ArrayList<>(mergeRequests.values());
  }

  public synchronized Mr add(String source, String target, String title) {
    Mr mr = new Mr(nextIid++, source, target, title, "");
    mergeRequests.put(mr.iid, mr);
    return mr;
  }

  /** Marks a merge request merged, with a merge commit or (fast-forward) only a squash commit. */
  public synchronized void merged(int iid, String mergeCommit, String squashCommit) {
    Mr mr = mergeRequests.get(iid);
    mr.state = "merged";
    mr.mergeCommit = mergeCommit;
    mr.squashCommit = squashCommit;
  }

  @Override
  protected void route(HttpExchange exchange, Seen seen) throws IOException {
    boolean authorized =
        ("Bearer " + token).equals(seen.authorization())
            || token.equals(seen.headers().get("private-token"));
    if (!authorized) {
      send(exchange, 401, "{\"message\":\"401 Unauthorized\"}");
      return;
    }
    Matcher m = PROJECT.matcher(seen.path());
    String encoded = URLEncoder.encode(project, StandardCharsets.UTF_8);
    if (!m.matches() || !(m.group(1).equals(encoded) || m.group(1).equals("42"))) {
      send(exchange, 404, "{\"message\":\"404 Project Not Found\"}");
      return;
    }
    JsonNode body = seen.body();
    if (m.group(4) != null) {
      status(exchange, m.group(4), seen.method(), body);
    } else if (m.group(3) != null) {
      update(exchange, Integer.parseInt(m.group(3)), seen.method(), body);
    } else if (seen.method().equals("GET")) {
      list(exchange, query(seen.query()));
    } else if (seen.method().equals("POST")) {
      create(exchange, body);
    } else {
      send(exchange, 405, "{\"error\":\"405 Method Not Allowed\"}");
    }
  }

  private void list(HttpExchange exchange, Map<String, String> q) throws IOException {
    String state = q.getOrDefault("state", "all");
    int perPage = Math.min(100, number(q, "per_page", 20));
    int page = number(q, "page", 1);
    List<Mr> matching =
        mergeRequests.values().stream()
            .filter(mr -> state.equals("all") || mr.state.equals(state))
            .filter(
                mr -> !q.containsKey("source_branch") || mr.source.equals(q.get("source_branch")))
            .filter(
                mr -> !q.containsKey("target_branch") || mr.target.equals(q.get("target_branch")))
            .toList();
    int from = Math.min(matching.size(), (page - 1) * perPage);
    int to = Math.min(matching.size(), from + perPage);
    ArrayNode out = JSON.createArrayNode();
    matching.subList(from, to).forEach(mr -> out.add(json(mr)));
    int pages = Math.max(1, (matching.size() + perPage - 1) / perPage);
    var headers = exchange.getResponseHeaders();
    headers.add("X-Page", String.valueOf(page));
    headers.add("X-Per-Page", String.valueOf(perPage));
    headers.add("X-Total", String.valueOf(matching.size()));
    headers.add("X-Total-Pages", String.valueOf(pages));
    headers.add("X-Prev-Page", page > 1 ? String.valueOf(page - 1) : "");
    headers.add("X-Next-Page", page < pages ? String.valueOf(page + 1) : "");
    send(exchange, 200, out.toString());
  }

  private void create(HttpExchange exchange, JsonNode body) throws IOException {
    for (String required : List.of("source_branch", "target_branch", "title")) {
      if (body == null || !body.hasNonNull(required)) {
        send(exchange, 400, "{\"error\":\"" + required + " is missing\"}");
        return;
      }
    }
    String source = body.get("source_branch").asText();
    String target = body.get("target_branch").asText();
    for (String branch : List.of(source, target)) {
      if (!branchExists.test(branch)) {
        send(exchange, 422, "{\"message\":[\"Branch \\\"" + branch + "\\\" does not exist\"]}");
        return;
      }
    }
    for (Mr mr : mergeRequests.values()) {
      if (mr.state.equals("opened") && mr.source.equals(source) && mr.target.equals(target)) {
        send(
            exchange,
            409,
            "{\"message\":[\"Another open merge request already exists for this source branch: !"
                + mr.iid
                + "\"]}");
        return;
      }
    }
    Mr mr =
        new Mr(
            nextIid++,
            source,
            target,
            body.get("title").asText(),
            body.path("description").asText(""));
    mergeRequests.put(mr.iid, mr);
    send(exchange, 201, json(mr).toString());
  }

  private void update(HttpExchange exchange, int iid, String method, JsonNode body)
      throws IOException {
    Mr mr = mergeRequests.get(iid);
    if (mr == null || !method.equals("PUT")) {
      send(exchange, 404, "{\"message\":\"404 Not found\"}");
      return;
    }
    String event = body == null ? null : body.path("state_event").asText(null);
    if (event != null && !event.equals("close") && !event.equals("reopen")) {
      send(exchange, 400, "{\"error\":\"state_event does not have a valid value\"}");
      return;
    }
    if ("close".equals(event) && mr.state.equals("opened")) {
      mr.state = "closed";
    } else if ("reopen".equals(event) && mr.state.equals("closed")) {
      mr.state = "opened";
    }
    send(exchange, 200, json(mr).toString());
  }

  private void status(HttpExchange exchange, String sha, String method, JsonNode body)
      throws IOException {
    if (!method.equals("POST")) {
      send(exchange, 404, "{\"message\":\"404 Not found\"}");
      return;
    }
    String state = body == null ? "" : body.path("state").asText("");
    if (!List.of("pending", "running", "success", "failed", "canceled", "skipped")
        .contains(state)) {
      send(exchange, 400, "{\"error\":\"state does not have a valid value\"}");
      return;
    }
    if (!sha.matches("[0-9a-f]{40}")) {
      send(exchange, 404, "{\"message\":\"404 References for commit Not Found\"}");
      return;
    }
    String name = body.path("name").asText(body.path("context").asText("default"));
    Status latest =
        statuses.stream()
            .filter(s -> s.sha().equals(sha) && s.context().equals(name))
            .reduce((a, b) -> b)
            .orElse(null);
    if (latest != null
        && latest.state().equals(state)
        && (state.equals("pending") || state.equals("running"))) {
      String event = state.equals("pending") ? "enqueue" : "run";
      send(
          exchange,
          400,
          "{\"message\":\"Cannot transition status via :"
              + event
              + " from :"
              + state
              + " (Reason(s): Status cannot transition via \\\""
              + event
              + "\\\")\"}");
      return;
    }
    Status status =
        new Status(
            sha,
            state,
            name,
            body.path("description").asText(null),
            body.path("target_url").asText(null));
    statuses.add(status);
    ObjectNode answer = JSON.createObjectNode();
    answer.put("id", statuses.size());
    answer.put("sha", sha);
    answer.put("status", state);
    answer.put("name", name);
    answer.put("description", status.description());
    answer.put("target_url", status.targetUrl());
    answer.put("allow_failure", false);
    send(exchange, 201, answer.toString());
  }

  private ObjectNode json(Mr mr) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", 1000 + mr.iid);
    node.put("iid", mr.iid);
    node.put("project_id", 42);
    node.put("title", mr.title);
    node.put("description", mr.description);
    node.put("state", mr.state);
    node.put("target_branch", mr.target);
    node.put("source_branch", mr.source);
    node.put("source_project_id", 42);
    node.put("target_project_id", 42);
    node.put("sha", "8888888888888888888888888888888888888888");
    node.put("merge_commit_sha", mr.mergeCommit);
    node.put("squash_commit_sha", mr.squashCommit);
    node.put("web_url", "https://gitlab.example.com/" + project + "/-/merge_requests/" + mr.iid);
    node.putObject("references").put("short", "!" + mr.iid).put("full", project + "!" + mr.iid);
    return node;
  }
}
