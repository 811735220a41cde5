package dev.ordinal.manifest;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Ordinal's {@code AnalysisTemplate} ({@code ordinal.dev/v1alpha1}): metrics that decide whether a
 * rollout may continue, in Argo Rollouts' vocabulary.
 */
public record AnalysisTemplate(
    String name, Optional<String> namespace, List<AnalysisArg> args, List<Metric> metrics) {

  public AnalysisTemplate {
    args = List.copyOf(args);
    metrics = List.copyOf(metrics);
  }

  /**
   * One measurement taken repeatedly during an analysis. At least one of the conditions is present;
   * they are kept as written and evaluated by the analysis engine.
   */
  public record Metric(
      String name,
      Optional<Duration> interval,
      OptionalInt count,
      Optional<Duration> initialDelay,
      Optional<String> successCondition,
      Optional<String> failureCondition,
      int failureLimit,
      int inconclusiveLimit,
      int consecutiveErrorLimit,
      boolean dryRun,
      MetricProvider provider) {}

  /** Where a metric's value comes from. */
  public sealed interface MetricProvider permits Prometheus {}

  /**
   * A PromQL query; {@code {{args.name}}} placeholders in it are replaced with analysis arguments.
   */
  public record Prometheus(
      URI address,
      String query,
      Optional<Duration> timeout,
      List<Header> headers,
      Optional<String> bearerTokenFile,
      Optional<SecretKeyRef> bearerTokenSecret)
      implements MetricProvider {
    public Prometheus {
      headers = List.copyOf(headers);
    }
  }

  /** An HTTP header sent with each query. */
  public record Header(String key, String value) {}

  /** A key of a Kubernetes Secret in the namespace of the StatefulSet. */
  public record SecretKeyRef(String name, String key) {}
}
