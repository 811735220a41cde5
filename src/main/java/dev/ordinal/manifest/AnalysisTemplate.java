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

  /** The placeholders a query or condition may use besides {@code {{args.NAME}}}. */
  public static final List<String> ROLLOUT_PLACEHOLDERS =
      List.of(
          "rollout.namespace",
          "rollout.statefulset",
          "rollout.statefulSet",
          "rollout.canaryRevision",
          "rollout.stableRevision",
          "rollout.canaryPods",
          "rollout.stablePods");

  /**
   * One measurement taken repeatedly during an analysis. At least one of the conditions is present;
   * they are kept as written and evaluated by the analysis engine.
   *
   * @param count empty with an interval: measure until a limit decides or the run is stopped
   * @param failureLimit -1 for no limit
   * @param inconclusiveLimit -1 for no limit
   * @param consecutiveSuccessLimit 0 when not used
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
      int consecutiveSuccessLimit,
      boolean dryRun,
      MetricProvider provider) {}

  /** Where a metric's value comes from. */
  public sealed interface MetricProvider permits Prometheus {}

  /**
   * A PromQL query; {@code {{args.name}}} placeholders in it are replaced with analysis arguments.
   *
   * @param rangeQuery when present, the query runs as a range query and {@code result} holds every
   *     point of the matrix
   */
  public record Prometheus(
      URI address,
      String query,
      Optional<RangeQuery> rangeQuery,
      Optional<Duration> timeout,
      List<Header> headers,
      Optional<String> server,
      Optional<SecretKeyRef> bearerTokenSecret)
      implements MetricProvider {
    public Prometheus {
      headers = List.copyOf(headers);
    }

    /** An instant query. */
    public Prometheus(
        URI address,
        String query,
        Optional<Duration> timeout,
        List<Header> headers,
        Optional<String> server,
        Optional<SecretKeyRef> bearerTokenSecret) {
      this(address, query, Optional.empty(), timeout, headers, server, bearerTokenSecret);
    }

    /** The address, when the template names one; else the server named, or the default. */
    public Optional<URI> explicitAddress() {
      return Optional.ofNullable(address);
    }
  }

  /**
   * Argo Rollouts' {@code rangeQuery}: {@code start} and {@code end} are expressions such as {@code
   * now() - duration("15m")}, evaluated at each measurement.
   */
  public record RangeQuery(String start, String end, Duration step) {}

  /** An HTTP header sent with each query. */
  public record Header(String key, String value) {}

  /** A key of a Kubernetes Secret in the namespace of the StatefulSet. */
  public record SecretKeyRef(String name, String key) {}
}
