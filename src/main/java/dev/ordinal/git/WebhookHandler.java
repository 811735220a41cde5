package dev.ordinal.git;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives GitHub, GitLab and Gitea push webhooks and asks for an immediate poll of the matching
 * repositories. Only the repository URLs and the ref are read from the payload: it is a hint to
 * poll, never desired state, so a forged payload can at worst cause an extra fetch.
 *
 * <p>With a secret, requests must carry GitHub's {@code X-Hub-Signature-256}, Gitea's {@code
 * X-Gitea-Signature} (or {@code X-Hub-Signature-256}) or GitLab's {@code X-Gitlab-Token}; anything
 * else is answered 401 and triggers nothing. Without a secret every request is accepted, which is
 * meant for development only.
 *
 * <p>Answers: 202 when some tracked repository matched, 204 when none did (or the event is not a
 * push), 400 for a body that is not a JSON object, 401 for a bad or missing signature, 405 for
 * methods other than POST, 413 for bodies over {@value #MAX_BODY_BYTES} bytes.
 */
public final class WebhookHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);
  static final int MAX_BODY_BYTES = 10 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Polls the tracked repositories matching a URL now; returns how many matched. */
  @FunctionalInterface
  public interface RepoTrigger {
    int trigger(String repoUrl);
  }

  private enum Provider {
    GITHUB,
    GITLAB,
    GITEA,
    UNKNOWN
  }

  private final byte[] secret;
  private final RepoTrigger trigger;

  private WebhookHandler(byte[] secret, RepoTrigger trigger) {
    this.secret = secret;
    this.trigger = trigger;
  }

  /** Verifies every request against {@code secret}. */
  public static WebhookHandler withSecret(String secret, RepoTrigger trigger) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException(
          "webhook secret must not be empty; use insecure() for development");
    }
    return new WebhookHandler(secret.getBytes(StandardCharsets.UTF_8), trigger);
  }

  /** Accepts unsigned requests. For development only: anyone can then make Ordinal poll. */
  public static WebhookHandler insecure(RepoTrigger trigger) {
    LOG.warn("webhook secret not configured: accepting unsigned webhooks (development only)");
    return new WebhookHandler(null, trigger);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        respond(exchange, 405, "only POST is accepted");
        return;
      }
      byte[] body = readBody(exchange.getRequestBody());
      if (body == null) {
        respond(exchange, 413, "payload larger than " + MAX_BODY_BYTES + " bytes");
        return;
      }
      Headers headers = exchange.getRequestHeaders();
      Provider provider = provider(headers);
      if (secret != null && !verified(provider, headers, body)) {
        LOG.warn(
            "rejected {} webhook from {}: bad or missing signature",
            provider,
            exchange.getRemoteAddress());
        respond(exchange, 401, "bad or missing webhook signature");
        return;
      }
      JsonNode payload;
      try {
        payload = JSON.readTree(body);
      } catch (JsonProcessingException e) {
        respond(exchange, 400, "payload is not valid JSON");
        return;
      }
      if (payload == null || !payload.isObject()) {
        respond(exchange, 400, "payload is not a JSON object");
        return;
      }
      String event = event(provider, headers);
      if (!isPush(provider, event)) {
        respond(exchange, 204, null);
        return;
      }
      int matched = 0;
      Set<String> urls = repositoryUrls(provider, payload);
      Set<String> seen = new LinkedHashSet<>();
      for (String url : urls) {
        // Several URLs of one repository must poll it once, not once per spelling.
        if (seen.add(RepoUrl.matchKey(url))) {
          matched += trigger.trigger(url);
        }
      }
      String ref = payload.path("ref").asText("");
      LOG.info(
          "{} push webhook for {} {}: {} tracked source(s) to poll", provider, seen, ref, matched);
      if (matched > 0) {
        respond(exchange, 202, "{\"triggered\":" + matched + "}");
      } else {
        respond(exchange, 204, null);
      }
    }
  }

  private static Provider provider(Headers headers) {
    if (headers.containsKey("X-Gitea-Event")
        || headers.containsKey("X-Gitea-Signature")
        || headers.containsKey("X-Gogs-Event")) {
      return Provider.GITEA;
    }
    if (headers.containsKey("X-Gitlab-Event") || headers.containsKey("X-Gitlab-Token")) {
      return Provider.GITLAB;
    }
    if (headers.containsKey("X-GitHub-Event") || headers.containsKey("X-Hub-Signature-256")) {
      return Provider.GITHUB;
    }
    return Provider.UNKNOWN;
  }

  private static String event(Provider provider, Headers headers) {
    String name =
        switch (provider) {
          case GITEA -> headers.containsKey("X-Gitea-Event") ? "X-Gitea-Event" : "X-GitHub-Event";
          case GITLAB -> "X-Gitlab-Event";
          default -> "X-GitHub-Event";
        };
    String value = headers.getFirst(name);
    return value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
  }

  private static boolean isPush(Provider provider, String event) {
    // A missing event header is treated as a push: the poll it causes is harmless.
    return event.isEmpty()
        || (provider == Provider.GITLAB
            ? event.equals("push hook") || event.equals("tag push hook")
            : event.equals("push"));
  }

  private boolean verified(Provider provider, Headers headers, byte[] body) {
    switch (provider) {
      case GITLAB:
        String token = headers.getFirst("X-Gitlab-Token");
        return token != null
            && MessageDigest.isEqual(secret, token.getBytes(StandardCharsets.UTF_8));
      case GITEA:
        String gitea = headers.getFirst("X-Gitea-Signature");
        if (gitea != null) {
          return hmacMatches(body, gitea);
        }
        return hubSignatureMatches(headers, body);
      default:
        return hubSignatureMatches(headers, body);
    }
  }

  private boolean hubSignatureMatches(Headers headers, byte[] body) {
    String signature = headers.getFirst("X-Hub-Signature-256");
    return signature != null
        && signature.startsWith("sha256=")
        && hmacMatches(body, signature.substring("sha256=".length()));
  }

  private boolean hmacMatches(byte[] body, String hex) {
    byte[] given;
    try {
      given = HexFormat.of().parseHex(hex.strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(hmacSha256(secret, body), given);
  }

  static byte[] hmacSha256(byte[] key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java runtime", e);
    }
  }

  private static Set<String> repositoryUrls(Provider provider, JsonNode payload) {
    Set<String> urls = new LinkedHashSet<>();
    JsonNode repo = payload.path("repository");
    for (String field : new String[] {"clone_url", "ssh_url", "html_url"}) {
      addText(urls, repo.path(field));
    }
    JsonNode project = payload.path("project");
    for (String field : new String[] {"git_http_url", "git_ssh_url", "web_url"}) {
      addText(urls, project.path(field));
    }
    if (provider == Provider.GITLAB) {
      // Older GitLab payloads carry the URLs under "repository".
      for (String field : new String[] {"git_http_url", "git_ssh_url", "homepage"}) {
        addText(urls, repo.path(field));
      }
    }
    return urls;
  }

  private static void addText(Set<String> urls, JsonNode node) {
    if (node.isTextual() && !node.asText().isBlank()) {
      urls.add(node.asText());
    }
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    return body.length > MAX_BODY_BYTES ? null : body;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    if (body == null || status == 204) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange
        .getResponseHeaders()
        .set(
            "Content-Type",
            body.startsWith("{") ? "application/json" : "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
