package dev.ordinal.analysis;

import dev.ordinal.manifest.AnalysisArg;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.AnalysisTemplate.Metric;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import dev.ordinal.manifest.AnalysisTemplate.RangeQuery;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Builds templates and metrics for tests without YAML. */
public final class TestTemplates {
  private TestTemplates() {}

  /**
   * A metric builder with Argo's defaults (limits 0, consecutiveErrorLimit 4) and an interval of
   * 1s: without a count such a metric measures until a limit decides or the run is stopped.
   */
  public static final class MetricBuilder {
    private final String name;
    private String query = "q";
    private URI address = URI.create("http://127.0.0.1:1");
    private Duration interval = Duration.ofSeconds(1);
    private Integer count;
    private Duration initialDelay;
    private String success;
    private String failure;
    private int failureLimit;
    private int inconclusiveLimit;
    private int consecutiveErrorLimit = 4;
    private int consecutiveSuccessLimit;
    private boolean dryRun;
    private Duration timeout;
    private RangeQuery rangeQuery;

    MetricBuilder(String name) {
      this.name = name;
    }

    public MetricBuilder query(String query) {
      this.query = query;
      return this;
    }

    public MetricBuilder address(URI address) {
      this.address = address;
      return this;
    }

    public MetricBuilder interval(Duration interval) {
      this.interval = interval;
      return this;
    }

    public MetricBuilder count(int count) {
      this.count = count;
      return this;
    }

    public MetricBuilder initialDelay(Duration delay) {
      this.initialDelay = delay;
      return this;
    }

    public MetricBuilder success(String condition) {
      this.success = condition;
      return this;
    }

    public MetricBuilder failure(String condition) {
      this.failure = condition;
      return this;
    }

    public MetricBuilder failureLimit(int limit) {
      this.failureLimit = limit;
      return this;
    }

    public MetricBuilder inconclusiveLimit(int limit) {
      this.inconclusiveLimit = limit;
      return this;
    }

    public MetricBuilder consecutiveErrorLimit(int limit) {
      this.consecutiveErrorLimit = limit;
      return this;
    }

    public MetricBuilder consecutiveSuccessLimit(int limit) {
      this.consecutiveSuccessLimit = limit;
      return this;
    }

    /** A range query from {@code start} to {@code end} (time expressions) every {@code step}. */
    public MetricBuilder rangeQuery(String start, String end, Duration step) {
      this.rangeQuery = new RangeQuery(start, end, step);
      return this;
    }

    public MetricBuilder dryRun() {
      this.dryRun = true;
      return this;
    }

    public MetricBuilder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Metric build() {
      return new Metric(
          name,
          Optional.ofNullable(interval),
          count == null ? OptionalInt.empty() : OptionalInt.of(count),
          Optional.ofNullable(initialDelay),
          Optional.ofNullable(success),
          Optional.ofNullable(failure),
          failureLimit,
          inconclusiveLimit,
          consecutiveErrorLimit,
          consecutiveSuccessLimit,
          dryRun,
          new Prometheus(
              address,
              query,
              Optional.ofNullable(rangeQuery),
              Optional.ofNullable(timeout),
              List.of(),
              Optional.empty(),
              Optional.empty()));
    }
  }

  public static MetricBuilder metric(String name) {
    return new MetricBuilder(name);
  }

  public static AnalysisTemplate template(
      String name, List<AnalysisArg> args, MetricBuilder... metrics) {
    return new AnalysisTemplate(
        name, Optional.empty(), args, Arrays.stream(metrics).map(MetricBuilder::build).toList());
  }

  public static AnalysisTemplate template(String name, MetricBuilder... metrics) {
    return template(name, List.of(), metrics);
  }
}
