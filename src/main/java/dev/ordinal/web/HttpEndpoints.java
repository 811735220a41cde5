package dev.ordinal.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The daemon's HTTP port: {@code /metrics} (Prometheus text format), {@code /healthz}, {@code
 * /readyz}, {@code /status} (JSON) and {@code /webhook} (Git push events). Bound before anything
 * else starts, so that a busy port is the first and only error.
 */
public final class HttpEndpoints implements AutoCloseable {
  /** What {@code /readyz} answers: 200 when ready, 503 otherwise, with a one-word body. */
  public record Readiness(boolean ready, String state) {}

  private final HttpServer server;
  private final String listen;

  private HttpEndpoints(HttpServer server, String listen) {
    this.server = server;
    this.listen = listen;
  }

  /**
   * Binds the address without serving yet.
   *
   * @throws IOException naming the address, when it is in use or cannot be bound
   */
  public static HttpEndpoints bind(InetSocketAddress address) throws IOException {
    String listen = address.getHostString() + ":" + address.getPort();
    try {
      return new HttpEndpoints(HttpServer.create(address, 0), listen);
    } catch (BindException e) {
      throw new IOException(
          "cannot listen on " + listen + ": " + e.getMessage() + " (is another Ordinal running?)",
          e);
    }
  }

  /** Adds the endpoints and starts serving. */
  public void serve(
      PrometheusRegistry registry,
      Supplier<Readiness> readiness,
      Supplier<String> statusJson,
      HttpHandler webhook) {
    server.setExecutor(
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "http");
              t.setDaemon(true);
              return t;
            }));
    PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);
    server.createContext(
        "/metrics",
        exchange -> {
          ByteArrayOutputStream body = new ByteArrayOutputStream();
          writer.write(body, registry.scrape());
          respond(exchange, 200, writer.getContentType(), body.toByteArray());
        });
    server.createContext(
        "/healthz",
        exchange -> respond(exchange, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8)));
    server.createContext(
        "/readyz",
        exchange -> {
          Readiness r = readiness.get();
          respond(
              exchange,
              r.ready() ? 200 : 503,
              "text/plain",
              (r.state() + "\n").getBytes(StandardCharsets.UTF_8));
        });
    server.createContext(
        "/status",
        exchange ->
            respond(
                exchange,
                200,
                "application/json",
                statusJson.get().getBytes(StandardCharsets.UTF_8)));
    if (webhook != null) {
      server.createContext("/webhook", webhook);
    }
    server.start();
  }

  /** Serves the status page and its assets at {@code /} and {@code /ui/}; call before serve. */
  public void page(StatusPage page) {
    HttpHandler handler =
        exchange -> {
          StatusPage.Response r =
              page.handle(exchange.getRequestMethod(), exchange.getRequestURI().getPath());
          r.headers().forEach(exchange.getResponseHeaders()::set);
          respond(exchange, r.status(), r.contentType(), r.body());
        };
    server.createContext("/", handler);
    server.createContext("/ui/", handler);
  }

  /** The bound port (useful when bound to port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The address as configured, for messages. */
  public String listen() {
    return listen;
  }

  static void respond(HttpExchange exchange, int code, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
