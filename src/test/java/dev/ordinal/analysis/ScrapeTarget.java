package dev.ordinal.analysis;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

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
  private final MetricsEndpoint endpoint;

  ScrapeTarget() throws IOException {
    endpoint = new MetricsEndpoint(registry);
  }

  int port() {
    return endpoint.port();
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
    endpoint.close();
  }
}
