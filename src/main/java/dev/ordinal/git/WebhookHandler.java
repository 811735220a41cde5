package dev.ordinal.git;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives GitHub, GitLab and Gitea push webhooks and asks for a poll of the matching repositories.
 * Only the repository URLs and the ref are read from the payload: it is a hint to poll, never
 * desired state, so a forged payload can at worst cause an extra fetch. Independent of the HTTP
 * server: the caller reads the body (bounded) and sends the {@link Answer}.
 *
 * <p>Three modes. With a secret ({@link #withSecret}), requests must carry GitHub's {@code
 * X-Hub-Signature-256}, Gitea's {@code X-Gitea-Signature} (or {@code X-Hub-Signature-256}) or
 * GitLab's {@code X-Gitlab-Token}; anything else is answered 401 and triggers nothing, and a
 * request with no such header at all is answered before its body is read. {@link #insecure} accepts
 * unsigned requests and logs a warning on each. {@link #off} refuses every request with 403 and
 * says how to turn webhooks on: it is what a config without a secret and without {@code insecure:
 * true} gets.
 *
 * <p>Replays: a signed delivery whose body was already accepted within {@link #REPLAY_WINDOW} (the
 * last {@value #REPLAY_ENTRIES} remembered) is answered 200 {@code {"duplicate":true}} and triggers
 * no fetch, so re-sending a captured delivery costs nothing. Providers' own redeliveries of the
 * same body are treated the same way; a new push always has a new body (its {@code after} commit).
 *
 * <p>Answers: 202 when some tracked repository matched, 204 when none did (or the event is not a
 * push), 200 for a replay, 400 for a body that is not a JSON object, 401 for a bad or missing
 * signature, 403 when webhooks are off, 405 for methods other than POST. The caller answers 413 for
 * a body over its limit.
 *
 * <p>Everything from the request that reaches a log line goes through {@link LogSafe}.
 */
public final class WebhookHandler {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long an accepted signed delivery is remembered, to answer its replays without a fetch. */
  public static final Duration REPLAY_WINDOW = Duration.ofMinutes(15);

  /** At most this many deliveries are remembered (32 bytes each). */
  public static final int REPLAY_ENTRIES = 4096;

  /** Polls the tracked repositories matching a URL now; returns how many matched. */
  @FunctionalInterface
  public interface RepoTrigger {
    int trigger(String repoUrl);
  }

  /** The request's headers, looked up by name without regard to case. */
  @FunctionalInterface
  public interface Headers {
    /** The first value of the header, or null. */
    String first(String name);

    default boolean has(String name) {
      return first(name) != null;
    }
  }

  /** What to send back: a status and a body (JSON when it starts with "{"), maybe headers. */
  public record Answer(int status, String body, Map<String, String> headers) {
    public Answer(int status, String body) {
      this(status, body, Map.of());
    }

    public String contentType() {
      return body != null && body.startsWith("{")
          ? "application/json"
          : "text/plain; charset=utf-8";
    }
  }

  private enum Provider {
    GITHUB,
    GITLAB,
    GITEA,
    UNKNOWN
  }

  private enum Mode {
    SIGNED,
    INSECURE,
    OFF
  }

  private final Mode mode;
  private final byte[] secret;
  private final RepoTrigger trigger;
  private final String offMessage;
  private final Deliveries deliveries;

  private WebhookHandler(
      Mode mode, byte[] secret, RepoTrigger trigger, String offMessage, LongSupplier nanoTime) {
    this.mode = mode;
    this.secret = secret;
    this.trigger = trigger;
    this.offMessage = offMessage;
    this.deliveries = new Deliveries(nanoTime);
  }

  /** Verifies every request against {@code secret}. */
  public static WebhookHandler withSecret(String secret, RepoTrigger trigger) {
    return withSecret(secret, trigger, System::nanoTime);
  }

  static WebhookHandler withSecret(String secret, RepoTrigger trigger, LongSupplier nanoTime) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException(
          "webhook secret must not be empty; use insecure() for development");
    }
    return new WebhookHandler(
        Mode.SIGNED, secret.getBytes(StandardCharsets.UTF_8), trigger, null, nanoTime);
  }

  /**
   * Accepts unsigned requests, with a warning logged on each. For development only: anyone who
   * reaches the port can then make Ordinal fetch.
   */
  public static WebhookHandler insecure(RepoTrigger trigger) {
    return new WebhookHandler(Mode.INSECURE, null, trigger, null, System::nanoTime);
  }

  /** Refuses every request with 403 and {@code howToEnable}. */
  public static WebhookHandler off(String howToEnable) {
    return new WebhookHandler(Mode.OFF, null, url -> 0, howToEnable, System::nanoTime);
  }

  /**
   * The answer a request gets before its body is read, if it needs no body: 405 for a method other
   * than POST, 403 when webhooks are off, 401 when a secret is configured and the request carries
   * no signature header at all. Empty when the body is needed.
   */
  public Optional<Answer> beforeBody(String method, Headers headers, String remote) {
    if (!"POST".equalsIgnoreCase(method)) {
      return Optional.of(new Answer(405, "only POST is accepted", Map.of("Allow", "POST")));
    }
    if (mode == Mode.OFF) {
      return Optional.of(new Answer(403, offMessage));
    }
    if (mode == Mode.SIGNED
        && !headers.has("X-Hub-Signature-256")
        && !headers.has("X-Gitea-Signature")
        && !headers.has("X-Gitlab-Token")) {
      Provider provider = provider(headers);
      LOG.warn("rejected {} webhook from {}: no signature header", provider, LogSafe.text(remote));
      return Optional.of(new Answer(401, "bad or missing webhook signature"));
    }
    return Optional.empty();
  }

  /** Handles a POST whose body was read whole (the caller bounds its size). */
  public Answer handle(Headers headers, byte[] body, String remote) {
    Optional<Answer> early = beforeBody("POST", headers, remote);
    if (early.isPresent()) {
      return early.get();
    }
    Provider provider = provider(headers);
    if (mode == Mode.SIGNED && !verified(provider, headers, body)) {
      LOG.warn("rejected {} webhook from {}: bad signature", provider, LogSafe.text(remote));
      return new Answer(401, "bad or missing webhook signature");
    }
    if (mode == Mode.INSECURE) {
      LOG.warn(
          "accepting an unsigned {} webhook from {} (webhook.insecure: true): anyone who reaches"
              + " this port can make Ordinal fetch; set webhook.secretEnv or webhook.secretFile",
          provider,
          LogSafe.text(remote));
    }
    JsonNode payload;
    try {
      payload = JSON.readTree(body);
    } catch (IOException e) {
      return new Answer(400, "payload is not valid JSON");
    }
    if (payload == null || !payload.isObject()) {
      return new Answer(400, "payload is not a JSON object");
    }
    String event = event(provider, headers);
    if (!isPush(provider, event)) {
      return new Answer(204, null);
    }
    Set<String> urls = repositoryUrls(provider, payload);
    String ref = payload.path("ref").asText("");
    String shown =
        urls.stream().map(RepoUrl::redact).map(LogSafe::text).collect(Collectors.joining(", "));
    if (mode == Mode.SIGNED && !deliveries.firstTime(sha256(body))) {
      LOG.info(
          "{} push webhook for [{}] {} repeats a delivery already handled: no fetch",
          provider,
          shown,
          LogSafe.text(ref));
      return new Answer(200, "{\"triggered\":0,\"duplicate\":true}");
    }
    int matched = 0;
    Set<String> seen = new LinkedHashSet<>();
    for (String url : urls) {
      // Several URLs of one repository must poll it once, not once per spelling.
      if (seen.add(RepoUrl.matchKey(url))) {
        matched += trigger.trigger(url);
      }
    }
    LOG.info(
        "{} push webhook for [{}] {}: {} tracked source(s) to poll",
        provider,
        shown,
        LogSafe.text(ref),
        matched);
    if (matched > 0) {
      return new Answer(202, "{\"triggered\":" + matched + "}");
    }
    return new Answer(204, null);
  }

  private static String sha256(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  }

  /** Bodies of signed deliveries accepted within the replay window, oldest first. */
  private static final class Deliveries {
    private final LongSupplier nanoTime;
    private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

    Deliveries(LongSupplier nanoTime) {
      this.nanoTime = nanoTime;
    }

    /** Records {@code key}; false if it was recorded within the window. */
    synchronized boolean firstTime(String key) {
      long now = nanoTime.getAsLong();
      long window = REPLAY_WINDOW.toNanos();
      for (Iterator<Long> it = seen.values().iterator(); it.hasNext(); ) {
        long at = it.next();
        if (now - at < window && seen.size() <= REPLAY_ENTRIES) {
          break;
        }
        it.remove();
      }
      Long at = seen.get(key);
      if (at != null && now - at < window) {
        return false;
      }
      seen.remove(key);
      seen.put(key, now);
      return true;
    }
  }

  private static Provider provider(Headers headers) {
    if (headers.has("X-Gitea-Event")
        || headers.has("X-Gitea-Signature")
        || headers.has("X-Gogs-Event")) {
      return Provider.GITEA;
    }
    if (headers.has("X-Gitlab-Event") || headers.has("X-Gitlab-Token")) {
      return Provider.GITLAB;
    }
    if (headers.has("X-GitHub-Event") || headers.has("X-Hub-Signature-256")) {
      return Provider.GITHUB;
    }
    return Provider.UNKNOWN;
  }

  private static String event(Provider provider, Headers headers) {
    String name =
        switch (provider) {
          case GITEA -> headers.has("X-Gitea-Event") ? "X-Gitea-Event" : "X-GitHub-Event";
          case GITLAB -> "X-Gitlab-Event";
          default -> "X-GitHub-Event";
        };
    String value = headers.first(name);
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
        String token = headers.first("X-Gitlab-Token");
        return token != null
            && MessageDigest.isEqual(secret, token.getBytes(StandardCharsets.UTF_8));
      case GITEA:
        String gitea = headers.first("X-Gitea-Signature");
        if (gitea != null) {
          return hmacMatches(body, gitea);
        }
        return hubSignatureMatches(headers, body);
      default:
        return hubSignatureMatches(headers, body);
    }
  }

  private boolean hubSignatureMatches(Headers headers, byte[] body) {
    String signature = headers.first("X-Hub-Signature-256");
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
}
