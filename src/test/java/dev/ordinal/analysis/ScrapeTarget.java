package dev.ordinal.analysis;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * What Prometheus scrapes in the integration tests: per pod and revision request and error counters
 * and a latency histogram, whose values the test sets.
 */
final class ScrapeTarget implements AutoCloseable {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests =
      Counter.builder()
          .name("http_requests_total")
          .labelNames("pod", "revision")
          .register(registry);
  private final Counter errors =
      Counter.builder()
          .name("http_request_errors_total")
          .labelNames("pod", "revision")
          .register(registry);
  private final Histogram latency =
      Histogram.builder()
          .name("http_request_duration_seconds")
          .labelNames("pod", "revision")
          .classicOnly()
          .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5)
          .register(registry);
  private final HttpServer server;

  ScrapeTarget() throws IOException {
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

  int port() {
    return server.getAddress().getPort();
  }

  /**
   * Serves {@code count} requests on {@code pod}, {@code failed} of them errors, each taking {@code
   * seconds}.
   */
  void serve(String pod, String revision, int count, int failed, double seconds) {
    requests.labelValues(pod, revision).inc(count);
    errors.labelValues(pod, revision).inc(failed);
    for (int i = 0; i < count; i++) {
      latency.labelValues(pod, revision).observe(seconds);
    }
  }

  /** Makes the pod's series exist at zero, so that an error ratio is 0/0 = NaN. */
  void idle(String pod, String revision) {
    requests.labelValues(pod, revision).inc(0);
    errors.labelValues(pod, revision).inc(0);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
