package dev.ordinal.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The daemon's one HTTP port: {@code /metrics} (Prometheus text format), {@code /healthz}, {@code
 * /readyz}, {@code /status} (JSON) and {@code /webhook} (Git push events).
 */
public final class HttpEndpoints implements AutoCloseable {
  private final HttpServer server;

  public HttpEndpoints(
      InetSocketAddress address,
      PrometheusRegistry registry,
      BooleanSupplier ready,
      Supplier<String> statusJson,
      HttpHandler webhook)
      throws IOException {
    server = HttpServer.create(address, 0);
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
          boolean ok = ready.getAsBoolean();
          respond(
              exchange,
              ok ? 200 : 503,
              "text/plain",
              (ok ? "ready\n" : "not ready\n").getBytes(StandardCharsets.UTF_8));
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
  }

  public void start() {
    server.start();
  }

  /** The bound port (useful when started on port 0). */
  public int port() {
    return server.getAddress().getPort();
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
