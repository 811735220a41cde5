package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *
 * <p>With {@link #acceptApp} it is also a GitHub App's side: {@code POST
 * /app/installations/{id}/access_tokens} takes a JWT ({@code Authorization: Bearer}), checks its
 * RS256 signature with the app's public key, {@code iat} not in the future, {@code exp} after now
 * and at most ten minutes after {@code iat}, {@code iss} the app id, and answers 201 with a fresh
 * installation token and its {@code expires_at}; that token then works as the token does.
 */
public final class FakeGitHub extends FakeForge {
  private static final Pattern INSTALLATION =
      Pattern.compile("/app/installations/(\\d+)/access_tokens");
  private static final Pattern REPO =
      Pattern.compile("/repos/([^/]+)/([^/]+)(/pulls(?:/(\\d+))?|/statuses/([^/]+))");

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

  private final String owner;
  private final String repo;
  private final String token;
  private final Predicate<String> branchExists;
  private final Map<Integer, Pr> pulls = new LinkedHashMap<>();
  private int nextNumber = 1;

  /** The app's side, once {@link #acceptApp} was called. */
  private record App(
      long appId, long installationId, PublicKey key, Clock clock, Duration tokenLifetime) {}

  private App app;
  private final Map<String, Instant> installationTokens = new LinkedHashMap<>();
  private final Set<String> revoked = new HashSet<>();

  /** Every installation token issued, oldest first. */
  public final List<String> issued = new CopyOnWriteArrayList<>();

  private FakeGitHub(String repository, String token, Predicate<String> branchExists)
      throws IOException {
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
    FakeGitHub fake = new FakeGitHub(repository, token, branchExists);
    fake.start();
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
    return root();
  }

  /** Issues installation tokens to app {@code appId}, valid for {@code tokenLifetime}. */
  public synchronized void acceptApp(
      long appId, long installationId, PublicKey key, Clock clock, Duration tokenLifetime) {
    app = new App(appId, installationId, key, clock, tokenLifetime);
  }

  /** Refuses every installation token issued so far, as after the app's key was rotated. */
  public synchronized void revokeIssued() {
    revoked.addAll(installationTokens.keySet());
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

  @Override
  protected void route(HttpExchange exchange, Seen seen) throws IOException {
    String method = seen.method();
    String path = seen.path();
    String auth = seen.authorization();
    Matcher installation = INSTALLATION.matcher(path);
    if (app != null && installation.matches()) {
      accessToken(exchange, Long.parseLong(installation.group(1)), method, auth);
      return;
    }
    if (!("Bearer " + token).equals(auth) && !liveInstallationToken(auth)) {
      send(
          exchange,
          401,
          "{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"401\"}");
      return;
    }
    if (!"application/vnd.github+json".equals(seen.headers().get("accept"))
        || seen.headers().get("user-agent") == null) {
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
    JsonNode body = seen.body();
    if (m.group(5) != null) {
      status(exchange, m.group(5), method, body);
    } else if (m.group(4) != null) {
      update(exchange, Integer.parseInt(m.group(4)), method, body);
    } else if (method.equals("GET")) {
      list(exchange, query(seen.query()));
    } else if (method.equals("POST")) {
      create(exchange, body);
    } else {
      send(exchange, 404, "{\"message\":\"Not Found\"}");
    }
  }

  private boolean liveInstallationToken(String auth) {
    if (app == null || auth == null || !auth.startsWith("Bearer ")) {
      return false;
    }
    String presented = auth.substring("Bearer ".length());
    Instant expires = installationTokens.get(presented);
    return expires != null
        && !revoked.contains(presented)
        && app.clock().instant().isBefore(expires);
  }

  private void accessToken(HttpExchange exchange, long installationId, String method, String auth)
      throws IOException {
    if (!method.equals("POST")) {
      send(exchange, 404, "{\"message\":\"Not Found\"}");
      return;
    }
    String refusal = jwtRefusal(auth);
    if (refusal != null) {
      send(
          exchange,
          401,
          "{\"message\":\""
              + refusal
              + "\",\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"401\"}");
      return;
    }
    if (installationId != app.installationId()) {
      send(
          exchange,
          404,
          "{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app\",\"status\":\"404\"}");
      return;
    }
    String issuedToken = "ghs_%036d".formatted(issued.size() + 1);
    Instant expires = app.clock().instant().plus(app.tokenLifetime());
    installationTokens.put(issuedToken, expires);
    issued.add(issuedToken);
    ObjectNode answer = JSON.createObjectNode();
    answer.put("token", issuedToken);
    answer.put("expires_at", expires.toString());
    answer.putObject("permissions").put("pull_requests", "write").put("statuses", "write");
    answer.put("repository_selection", "selected");
    send(exchange, 201, answer.toString());
  }

  /** Why GitHub would refuse this JWT, in its words; null when it is good. */
  private String jwtRefusal(String auth) {
    if (auth == null || !auth.startsWith("Bearer ")) {
      return "A JSON web token could not be decoded";
    }
    String[] parts = auth.substring("Bearer ".length()).split("\\.");
    if (parts.length != 3) {
      return "A JSON web token could not be decoded";
    }
    try {
      Base64.Decoder decoder = Base64.getUrlDecoder();
      JsonNode header = JSON.readTree(decoder.decode(parts[0]));
      JsonNode claims = JSON.readTree(decoder.decode(parts[1]));
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initVerify(app.key());
      rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!"RS256".equals(header.path("alg").asText()) || !rs256.verify(decoder.decode(parts[2]))) {
        return "A JSON web token could not be decoded";
      }
      long now = app.clock().instant().getEpochSecond();
      long iat = claims.path("iat").asLong(Long.MAX_VALUE);
      long exp = claims.path("exp").asLong(0);
      if (iat > now) {
        return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
      }
      if (exp <= now) {
        return "'Expiration time' claim ('exp') must be a numeric value representing the future"
            + " time at which the assertion expires";
      }
      if (exp - iat > 600) {
        return "'Expiration time' claim ('exp') is too far in the future";
      }
      if (!String.valueOf(app.appId()).equals(claims.path("iss").asText())) {
        return "'Issuer' claim ('iss') must be an Integer";
      }
      return null;
    } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
      return "A JSON web token could not be decoded";
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
}
