package dev.ordinal.analysis;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/** Serves a registry's metrics at {@code /metrics} on loopback, for a test Prometheus to scrape. */
public final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer server;

  public MetricsEndpoint(PrometheusRegistry registry) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);
    server.createContext(
        "/metrics",
        exchange -> {
          ByteArrayOutputStream body = new ByteArrayOutputStream();
          writer.write(body, registry.scrape());
          exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
          exchange.sendResponseHeaders(200, body.size());
          try (OutputStream out = exchange.getResponseBody()) {
            body.writeTo(out);
          }
        });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
