package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;

/**
 * The part of GitHub's REST API that Ordinal calls, in process, as GitHub documents it: {@code GET
 * /repos/{owner}/{repo}/pulls} (state, base, head as {@code owner:branch}, per_page, page, a {@code
 * Link} header with {@code rel="next"}), {@code POST .../pulls} (title, head, base, body; 422 when
 * the head branch is unknown or an open PR from it exists), {@code PATCH .../pulls/{n}} ({@code
 * state: closed}), {@code POST .../statuses/{sha}} (state one of error, failure, pending, success;
 * context; description; target_url). Every request needs {@code Authorization: Bearer TOKEN} (else
 * 401 "Bad credentials"); another repository is 404 "Not Found". Error bodies are the documented
 * examples. Faults can be queued, and every request is recorded.
 */
public final class FakeGitHub implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REPO =
      Pattern.compile("/repos/([^/]+)/([^/]+)(/pulls(?:/(\\d+))?|/statuses/([^/]+))");

  /** One request as received. */
  public record Seen(
      String method, String path, String query, String authorization, JsonNode body) {}

  /** One status as set. */
  public record Status(
      String sha, String state, String context, String description, String targetUrl) {}

  /** A canned answer served instead of the next matching request. */
  public record Fault(int status, Map<String, String> headers, String body) {}

  /** A pull request as the fake keeps it. */
  public static final class Pr {
    public final int number;
    public final String head;
    public final String base;
    public final String title;
    public final String body;
    public volatile String state = "open";
    public volatile String mergedAt;
    public volatile String mergeCommit;

    Pr(int number, String head, String base, String title, String body) {
      this.number = number;
      this.head = head;
      this.base = base;
      this.title = title;
      this.body = body;
    }
  }

  private final HttpServer server;
  private final String owner;
  private final String repo;
  private final String token;
  private final Predicate<String> branchExists;
  public final List<Seen> requests = new CopyOnWriteArrayList<>();
  public final List<Status> statuses = new CopyOnWriteArrayList<>();
  private final Map<Integer, Pr> pulls = new LinkedHashMap<>();
  private final Deque<Fault> faults = new ArrayDeque<>();
  private int nextNumber = 1;

  private FakeGitHub(
      HttpServer server, String repository, String token, Predicate<String> branchExists) {
    this.server = server;
    this.owner = repository.substring(0, repository.indexOf('/'));
    this.repo = repository.substring(repository.indexOf('/') + 1);
    this.token = token;
    this.branchExists = branchExists;
  }

  /**
   * @param branchExists whether the Git repository has a branch: a PR from an unknown head is 422,
   *     as on GitHub
   */
  public static FakeGitHub start(String repository, String token, Predicate<String> branchExists)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    FakeGitHub fake = new FakeGitHub(server, repository, token, branchExists);
    server.createContext("/", fake::handle);
    server.start();
    return fake;
  }

  /** A fake whose branches are those of the Git repository {@code git}. */
  public static FakeGitHub startFor(String repository, String token, Repository git)
      throws IOException {
    return start(
        repository,
        token,
        branch -> {
          try {
            return git.exactRef(Constants.R_HEADS + branch) != null;
          } catch (IOException e) {
            return false;
          }
        });
  }

  public String api() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public synchronized void fail(Fault fault) {
    faults.add(fault);
  }

  public synchronized List<Pr> pulls() {
    return new ArrayList<>(pulls.values());
  }

  /** Adds a pull request as if someone else opened it. */
  public synchronized Pr add(String head, String base, String title) {
    Pr pr = new Pr(nextNumber++, head, base, title, "");
    pulls.put(pr.number, pr);
    return pr;
  }

  /** Marks a pull request merged as {@code mergeCommit} (the test moves the branch itself). */
  public synchronized void merged(int number, String mergeCommit) {
    Pr pr = pulls.get(number);
    pr.state = "closed";
    pr.mergedAt = "2025-06-01T12:00:00Z";
    pr.mergeCommit = mergeCommit;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      byte[] raw = exchange.getRequestBody().readAllBytes();
      JsonNode body = raw.length == 0 ? null : JSON.readTree(raw);
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      requests.add(new Seen(method, path, query == null ? "" : query, auth, body));
      Fault fault;
      synchronized (this) {
        fault = faults.poll();
      }
      if (fault != null) {
        fault.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        send(exchange, fault.status(), fault.body());
        return;
      }
      if (!("Bearer " + token).equals(auth)) {
        send(
            exchange,
            401,
            "{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"401\"}");
        return;
      }
      if (!"application/vnd.github+json".equals(exchange.getRequestHeaders().getFirst("Accept"))
          || exchange.getRequestHeaders().getFirst("User-Agent") == null) {
        send(exchange, 400, "{\"message\":\"Accept and User-Agent headers are required\"}");
        return;
      }
      Matcher m = REPO.matcher(path);
      if (!m.matches() || !m.group(1).equals(owner) || !m.group(2).equals(repo)) {
        send(
            exchange,
            404,
            "{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"404\"}");
        return;
      }
      synchronized (this) {
        if (m.group(5) != null) {
          status(exchange, m.group(5), method, body);
        } else if (m.group(4) != null) {
          update(exchange, Integer.parseInt(m.group(4)), method, body);
        } else if (method.equals("GET")) {
          list(exchange, query(query));
        } else if (method.equals("POST")) {
          create(exchange, body);
        } else {
          send(exchange, 404, "{\"message\":\"Not Found\"}");
        }
      }
    }
  }

  private void list(HttpExchange exchange, Map<String, String> q) throws IOException {
    String state = q.getOrDefault("state", "open");
    int perPage = Math.min(100, Integer.parseInt(q.getOrDefault("per_page", "30")));
    int page = Integer.parseInt(q.getOrDefault("page", "1"));
    List<Pr> matching =
        pulls.values().stream()
            .filter(pr -> state.equals("all") || pr.state.equals(state))
            .filter(pr -> !q.containsKey("base") || pr.base.equals(q.get("base")))
            .filter(pr -> !q.containsKey("head") || (owner + ":" + pr.head).equals(q.get("head")))
            .toList();
    int from = Math.min(matching.size(), (page - 1) * perPage);
    int to = Math.min(matching.size(), from + perPage);
    ArrayNode out = JSON.createArrayNode();
    matching.subList(from, to).forEach(pr -> out.add(json(pr)));
    if (to < matching.size()) {
      Map<String, String> next = new LinkedHashMap<>(q);
      next.put("page", String.valueOf(page + 1));
      StringBuilder link = new StringBuilder(api() + "/repos/" + owner + "/" + repo + "/pulls?");
      next.forEach((k, v) -> link.append(k).append('=').append(v.replace(":", "%3A")).append('&'));
      link.setLength(link.length() - 1);
      exchange.getResponseHeaders().add("Link", "<" + link + ">; rel=\"next\"");
    }
    send(exchange, 200, out.toString());
  }

  private void create(HttpExchange exchange, JsonNode body) throws IOException {
    if (body == null
        || !body.hasNonNull("title")
        || !body.hasNonNull("head")
        || !body.hasNonNull("base")) {
      send(exchange, 422, validation("missing_field", "title, head and base are required"));
      return;
    }
    String head = body.get("head").asText();
    String base = body.get("base").asText();
    if (!branchExists.test(head) || !branchExists.test(base)) {
      send(exchange, 422, validation("invalid", "head or base is not a branch"));
      return;
    }
    boolean open =
        pulls.values().stream()
            .anyMatch(
                pr -> pr.state.equals("open") && pr.head.equals(head) && pr.base.equals(base));
    if (open) {
      send(
          exchange,
          422,
          validation("custom", "A pull request already exists for " + owner + ":" + head + "."));
      return;
    }
    Pr pr =
        new Pr(nextNumber++, head, base, body.get("title").asText(), body.path("body").asText(""));
    pulls.put(pr.number, pr);
    send(exchange, 201, json(pr).toString());
  }

  private void update(HttpExchange exchange, int number, String method, JsonNode body)
      throws IOException {
    Pr pr = pulls.get(number);
    if (pr == null || !method.equals("PATCH")) {
      send(exchange, 404, "{\"message\":\"Not Found\"}");
      return;
    }
    String state = body == null ? null : body.path("state").asText(null);
    if (state != null && !state.equals("open") && !state.equals("closed")) {
      send(exchange, 422, validation("invalid", "state must be open or closed"));
      return;
    }
    if (state != null && pr.mergedAt == null) {
      pr.state = state;
    }
    send(exchange, 200, json(pr).toString());
  }

  private void status(HttpExchange exchange, String sha, String method, JsonNode body)
      throws IOException {
    if (!method.equals("POST")) {
      send(exchange, 404, "{\"message\":\"Not Found\"}");
      return;
    }
    String state = body == null ? "" : body.path("state").asText("");
    if (!List.of("error", "failure", "pending", "success").contains(state)
        || !sha.matches("[0-9a-f]{40}")
        || body.path("description").asText("").length() > 140) {
      send(exchange, 422, validation("invalid", "state, sha or description is invalid"));
      return;
    }
    statuses.add(
        new Status(
            sha,
            state,
            body.path("context").asText("default"),
            body.path("description").asText(""),
            body.path("target_url").asText(null)));
    send(exchange, 201, "{\"state\":\"" + state + "\"}");
  }

  private ObjectNode json(Pr pr) {
    ObjectNode node = JSON.createObjectNode();
    node.put("number", pr.number);
    node.put("html_url", "https://github.com/" + owner + "/" + repo + "/pull/" + pr.number);
    node.put("state", pr.state);
    node.put("title", pr.title);
    node.put("body", pr.body);
    node.putObject("head").put("ref", pr.head).put("label", owner + ":" + pr.head);
    node.putObject("base").put("ref", pr.base);
    if (pr.mergedAt == null) {
      node.putNull("merged_at");
      node.putNull("merge_commit_sha");
    } else {
      node.put("merged_at", pr.mergedAt);
      node.put("merge_commit_sha", pr.mergeCommit);
    }
    return node;
  }

  private static String validation(String code, String message) {
    return "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":\"PullRequest\",\"code\":\""
        + code
        + "\",\"message\":\""
        + message
        + "\"}],\"documentation_url\":\"https://docs.github.com/rest/pulls/pulls#create-a-pull-request\",\"status\":\"422\"}";
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          q.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
