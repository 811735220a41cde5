package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What every in-process forge shares: an HTTP server on 127.0.0.1 and a free port, every request
 * recorded, canned faults served before the forge's own answer, and the statuses set.
 */
public abstract class FakeForge implements AutoCloseable {
  protected static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received; {@code headers} by lower-case name, first value. */
  public record Seen(
      String method,
      String path,
      String query,
      String authorization,
      Map<String, String> headers,
      JsonNode body) {}

  /** One status as set, in the forge's own words (GitLab's name is the context here). */
  public record Status(
      String sha, String state, String context, String description, String targetUrl) {}

  /** A canned answer served instead of the next request. */
  public record Fault(int status, Map<String, String> headers, String body) {}

  private final HttpServer server;
  private final Deque<Fault> faults = new ArrayDeque<>();
  public final List<Seen> requests = new CopyOnWriteArrayList<>();
  public final List<Status> statuses = new CopyOnWriteArrayList<>();

  protected FakeForge() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
  }

  /** Called by a factory once the subclass is built, so no request meets half a fake. */
  protected final void start() {
    server.start();
  }

  /** {@code http://127.0.0.1:PORT}, the server's root. */
  protected final String root() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public synchronized void fail(Fault fault) {
    faults.add(fault);
  }

  /** Answers a request no fault took, holding the fake's lock. */
  protected abstract void route(HttpExchange exchange, Seen seen) throws IOException;

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] raw = exchange.getRequestBody().readAllBytes();
      Map<String, String> headers = new LinkedHashMap<>();
      exchange
          .getRequestHeaders()
          .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
      Seen seen =
          new Seen(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath(),
              exchange.getRequestURI().getRawQuery() == null
                  ? ""
                  : exchange.getRequestURI().getRawQuery(),
              headers.get("authorization"),
              headers,
              raw.length == 0 ? null : JSON.readTree(raw));
      requests.add(seen);
      synchronized (this) {
        Fault fault = faults.poll();
        if (fault != null) {
          fault.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
          send(exchange, fault.status(), fault.body());
          return;
        }
        route(exchange, seen);
      }
    }
  }

  protected static Map<String, String> query(String raw) {
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

  protected static int number(Map<String, String> q, String name, int otherwise) {
    return Integer.parseInt(q.getOrDefault(name, String.valueOf(otherwise)));
  }

  protected static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
      exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    }
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
