package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.git.LogSafe;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * The calls every forge adapter makes the same way. Retries are bounded: a 5xx answer or a network
 * error is tried {@value #ATTEMPTS} times in all, 1s then 2s apart; a rate limit is waited out when
 * it asks for at most {@link ForgeClient#maxWait()}, and a longer one fails at once with the time
 * to wait. A 401 is tried once more only when the credential can renew itself (a GitHub App's
 * installation token). Other 4xx answers are not retried: they need a person. Messages carry the
 * forge's own error text, escaped and cut, and what to do; never the secret.
 */
final class ForgeHttp {
  static final int ATTEMPTS = 3;
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What differs between forges in how a call is made and its answer read.
   *
   * @param name the forge's name in messages: GitHub, GitLab, Gitea
   * @param headers sets the credential's header, given the secret, and any header the forge
   *     requires on every call
   * @param hint what to do about an error status other than 401
   * @param rateLimit how long the forge asks to wait, when an answer is a rate limit
   */
  record Dialect(
      String name,
      BiConsumer<HttpRequest.Builder, String> headers,
      IntFunction<String> hint,
      BiFunction<HttpResponse<String>, Instant, Optional<Duration>> rateLimit) {}

  /**
   * The rate limit most forges answer: 429 with {@code Retry-After}; without that header a minute
   * is a safe guess.
   */
  static Optional<Duration> tooManyRequests(HttpResponse<String> response, Instant now) {
    return response.statusCode() == 429
        ? Optional.of(retryAfter(response, now).orElse(Duration.ofSeconds(60)))
        : Optional.empty();
  }

  private final String describe;
  private final URI api;
  private final ForgeClient client;
  private final Dialect dialect;
  private final ForgeCredential credential;

  /**
   * @param credential what {@link #send(String, URI, JsonNode, String)} proves the caller with;
   *     null when every call names its own
   */
  ForgeHttp(
      String describe, URI api, ForgeClient client, Dialect dialect, ForgeCredential credential) {
    this.describe = describe;
    String root = api.toString();
    this.api = URI.create(root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
    this.client = client;
    this.dialect = dialect;
    this.credential = credential;
  }

  /** The API root without a trailing slash. */
  String api() {
    return api.toString();
  }

  HttpResponse<String> send(String method, URI uri, JsonNode body, String what)
      throws ForgeException {
    return send(method, uri, body, what, ForgeHttp::success);
  }

  HttpResponse<String> send(
      String method, URI uri, JsonNode body, String what, Predicate<HttpResponse<String>> accepted)
      throws ForgeException {
    return send(
        method, uri, body, what, Objects.requireNonNull(credential, "credential"), accepted);
  }

  /**
   * @param accepted which answers are the call's result; others are errors (retried or not as
   *     above)
   */
  HttpResponse<String> send(
      String method,
      URI uri,
      JsonNode body,
      String what,
      ForgeCredential as,
      Predicate<HttpResponse<String>> accepted)
      throws ForgeException {
    ForgeException last = null;
    boolean renewed = false;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(30))
              .header("User-Agent", "ordinal");
      dialect.headers().accept(request, as.secret());
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
      }
      HttpResponse<String> response;
      try {
        response = client.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        last =
            new ForgeException(
                0,
                describe
                    + ": cannot "
                    + what
                    + ": "
                    + LogSafe.text(e.getClass().getSimpleName() + " " + e.getMessage())
                    + "; check the api address and the network");
        pause(backoff(attempt), last);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ForgeException(0, describe + ": interrupted while trying to " + what);
      }
      if (accepted.test(response)) {
        return response;
      }
      int status = response.statusCode();
      if (status == 401 && !renewed && as.renew()) {
        renewed = true;
        continue;
      }
      Optional<Duration> limited = dialect.rateLimit().apply(response, client.clock().instant());
      if (limited.isPresent()) {
        last =
            new ForgeException(
                status,
                describe
                    + ": rate limited while trying to "
                    + what
                    + "; "
                    + dialect.name()
                    + " allows the next call in "
                    + limited.get().toSeconds()
                    + "s",
                limited.get());
        if (limited.get().compareTo(client.maxWait()) > 0) {
          throw last;
        }
        pause(limited.get(), last);
        continue;
      }
      last =
          new ForgeException(status, describe + ": cannot " + what + ": " + explain(response, as));
      if (status < 500) {
        throw last;
      }
      pause(backoff(attempt), last);
    }
    throw last;
  }

  static boolean success(HttpResponse<String> response) {
    return response.statusCode() >= 200 && response.statusCode() < 300;
  }

  private void pause(Duration d, ForgeException ifInterrupted) throws ForgeException {
    if (d == null) {
      return;
    }
    try {
      client.sleeper().sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ifInterrupted;
    }
  }

  /** 1s, 2s, ... between attempts; none after the last one. */
  private static Duration backoff(int attempt) {
    return attempt >= ATTEMPTS ? null : Duration.ofSeconds(1L << (attempt - 1));
  }

  /** {@code Retry-After} as delay-seconds or an HTTP-date (RFC 9110), never negative. */
  static Optional<Duration> retryAfter(HttpResponse<String> response, Instant now) {
    Optional<String> header = response.headers().firstValue("retry-after").map(String::strip);
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get();
    if (value.matches("\\d{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException e) {
      return Optional.of(Duration.ofSeconds(60));
    }
  }

  /**
   * The status with the forge's own message and what to do. Forges put the message in {@code
   * message} (a string; GitLab also a list, or an object of field to list), {@code error}, or
   * {@code errors}.
   */
  private String explain(HttpResponse<String> response, ForgeCredential as) {
    List<String> parts = new ArrayList<>();
    try {
      JsonNode body = JSON.readTree(response.body());
      collect(body.path("message"), "", parts);
      collect(body.path("error"), "", parts);
      for (JsonNode error : body.path("errors")) {
        String text =
            error.isTextual()
                ? error.asText()
                : error.path("message").asText(error.path("code").asText(""));
        if (!text.isEmpty()) {
          parts.add(text);
        }
      }
    } catch (IOException | RuntimeException e) {
      parts.clear();
    }
    String message = String.join(": ", parts);
    int status = response.statusCode();
    return "HTTP "
        + status
        + (message.isEmpty() ? "" : " " + LogSafe.text(message))
        + " ("
        + (status == 401 ? as.whenRefused() : dialect.hint().apply(status))
        + ")";
  }

  private static void collect(JsonNode node, String field, List<String> parts) {
    if (node.isTextual() && !node.asText().isEmpty()) {
      parts.add(field + node.asText());
    } else if (node.isArray()) {
      node.forEach(element -> collect(element, field, parts));
    } else if (node.isObject()) {
      node.fields().forEachRemaining(e -> collect(e.getValue(), e.getKey() + " ", parts));
    }
  }

  JsonNode read(HttpResponse<String> response) throws ForgeException {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new ForgeException(
          response.statusCode(),
          describe + ": " + dialect.name() + " answered with something that is not JSON");
    }
  }

  /**
   * A link from an answer, only on the API's own origin: the secret never follows one elsewhere.
   */
  URI sameOrigin(URI next) throws ForgeException {
    if (next == null) {
      return null;
    }
    if (!Objects.equals(next.getScheme(), api.getScheme())
        || !Objects.equals(next.getHost(), api.getHost())
        || next.getPort() != api.getPort()) {
      throw new ForgeException(
          0, describe + ": the next page is on another host; not following it with the token");
    }
    return next;
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}
