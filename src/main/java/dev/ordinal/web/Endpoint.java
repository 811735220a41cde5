package dev.ordinal.web;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A read-only page of the internal listener (the one with {@code /healthz}, {@code /readyz}, {@code
 * /metrics} and {@code /status}), added with {@link HttpEndpoints#register(String, Endpoint)}.
 *
 * <p>The seam is narrow on purpose: an endpoint sees a GET (or HEAD) with its path, query and
 * headers, and returns a status, a content type and bytes. It never sees the HTTP server, so the
 * server's protections (head deadline, connection cap, no request bodies, error pages without stack
 * traces) hold for every page added. An endpoint runs on one of the listener's few worker threads:
 * it should answer from memory and quickly, and must not block on the network. What it returns must
 * not hold credentials or values from Secrets: this listener is for the cluster (probes,
 * Prometheus), but a page may still be seen by more people than the cluster's admins.
 *
 * <pre>{@code
 * http.register("/ui", get -> Endpoint.Reply.html(StatusPage.render(apps())));
 * }</pre>
 */
@FunctionalInterface
public interface Endpoint {

  /**
   * Answers one GET. An exception is logged and answered 500 with no detail.
   *
   * @throws Exception anything; the client sees only "internal error"
   */
  Reply get(Get request) throws Exception;

  /**
   * One GET request.
   *
   * @param path the path, exactly as registered
   * @param query the query parameters, decoded; a name without value maps to an empty string
   * @param headers the request headers by lower-case name (first value of each)
   */
  record Get(String path, Map<String, List<String>> query, Map<String, String> headers) {
    public Get {
      query = Map.copyOf(query);
      headers = Map.copyOf(headers);
    }

    /** The first value of query parameter {@code name}, or null. */
    public String parameter(String name) {
      List<String> values = query.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The header {@code name} (any case), or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * What to answer: a status, a content type, the body, and headers of the page's own (such as a
   * Content-Security-Policy); the listener adds {@code Cache-Control: no-store} and {@code
   * X-Content-Type-Options: nosniff} to every answer.
   */
  record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    public Reply {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(body, "body");
      headers = Map.copyOf(headers);
    }

    public Reply(int status, String contentType, byte[] body) {
      this(status, contentType, body, Map.of());
    }

    public static Reply text(int status, String text) {
      return new Reply(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static Reply json(int status, String json) {
      return new Reply(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public static Reply html(String html) {
      return new Reply(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }
  }
}
