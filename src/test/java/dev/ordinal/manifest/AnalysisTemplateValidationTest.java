package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.ordinal.manifest.AnalysisTemplate.Metric;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import dev.ordinal.manifest.AnalysisTemplate.RangeQuery;
import dev.ordinal.testkit.Loaders;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The limits and fields of an AnalysisTemplate's metrics as Argo Rollouts validates them; vectors
 * from Argo's utils/analysis/factory_test.go TestValidateMetrics, each named after its t.Run.
 */
class AnalysisTemplateValidationTest {

  /** A template with one metric whose limit fields are {@code fields} (YAML flow entries). */
  private static String template(String fields) {
    return """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: t
        spec:
          metrics:
            - {name: m, successCondition: "result[0] < 1", %s, provider: {prometheus: {address: "http://p:9090", query: q}}}
        """
        .formatted(fields);
  }

  private static LoadResult load(String yaml) {
    return Loaders.forFixtures().load(new InMemoryTree().put("t.yaml", yaml).tree("r"));
  }

  private static List<String> errors(String fields) {
    LoadResult result = load(template(fields));
    return result instanceof LoadResult.Invalid invalid
        ? invalid.errors().stream().map(e -> e.message()).toList()
        : List.of();
  }

  private static Metric metric(String fields) {
    LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class, load(template(fields)));
    return loaded.state().templates().get("t").metrics().get(0);
  }

  @ParameterizedTest(name = "TestValidateMetrics: {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Ensure count >= failureLimit + consecutiveSuccessLimit | count: 1, failureLimit: 2"
            + " | spec.metrics[0].count: must be at least failureLimit + consecutiveSuccessLimit"
            + " (2 + 0), got 1; with fewer measurements those limits could never be reached",
        "Ensure count must be >= inconclusiveLimit | count: 1, inconclusiveLimit: 2"
            + " | spec.metrics[0].count: must be at least inconclusiveLimit (2), got 1",
        "Ensure interval must be specified when count > 1 | count: 2"
            + " | spec.metrics[0].interval: missing required field: count is 2, so say how long"
            + " to wait between measurements",
        "Ensure failureLimit >= -1 | failureLimit: -2"
            + " | spec.metrics[0].failureLimit: must be at least -1, got -2",
        "Ensure consecutiveErrorLimit >= 0 | consecutiveErrorLimit: -1"
            + " | spec.metrics[0].consecutiveErrorLimit: must be at least 0, got -1",
        "Ensure consecutiveSuccessLimit >= 0 | consecutiveSuccessLimit: -1"
            + " | spec.metrics[0].consecutiveSuccessLimit: must be at least 0, got -1",
        "Ensure failureLimit and consecutiveSuccessLimit are not both disabled | failureLimit: -1"
            + " | spec.metrics[0].failureLimit: -1 turns failures off, so only"
            + " consecutiveSuccessLimit could decide this metric, and it is not set; set"
            + " consecutiveSuccessLimit, or a failureLimit of 0 or more",
        "Ensure count >= consecutiveSuccessLimit when failureLimit is -1"
            + " | count: 2, interval: 1m, failureLimit: -1, consecutiveSuccessLimit: 3"
            + " | spec.metrics[0].count: must be at least consecutiveSuccessLimit (3), got 2;"
            + " with fewer measurements it could never be reached",
        "Ensure interval is a duration | count: 2, interval: 60s-typo"
            + " | spec.metrics[0].interval: invalid duration \"60s-typo\"; use a number of seconds"
            + " or a number with a unit, such as 30s, 5m or 1h",
        "Ensure initialDelay is a duration | initialDelay: 60s-typo"
            + " | spec.metrics[0].initialDelay: invalid duration \"60s-typo\"; use a number of"
            + " seconds or a number with a unit, such as 30s, 5m or 1h",
      })
  void invalidLimitsAreRefusedOnTheFieldToChange(String upstream, String fields, String message) {
    assertEquals(List.of(message), errors(fields));
  }

  @Test
  void validLimitsAsArgoAcceptsThem() {
    // TestValidateMetrics "Ensure count >= failureLimit + consecutiveSuccessLimit", fixed
    assertEquals(List.of(), errors("count: 2, interval: 60s, failureLimit: 2"));
    Metric settle = metric("interval: 30s, failureLimit: -1, consecutiveSuccessLimit: 3");
    assertEquals(-1, settle.failureLimit());
    assertEquals(3, settle.consecutiveSuccessLimit());
    assertEquals(OptionalInt.empty(), settle.count());
    // deliberately wider than Argo, which requires inconclusiveLimit >= 0: -1 is "no limit" too
    assertEquals(-1, metric("interval: 30s, inconclusiveLimit: -1").inconclusiveLimit());
    Metric defaults = metric("interval: 30s");
    assertEquals(0, defaults.failureLimit());
    assertEquals(0, defaults.inconclusiveLimit());
    assertEquals(4, defaults.consecutiveErrorLimit());
    assertEquals(0, defaults.consecutiveSuccessLimit());
  }

  @Test
  void aRangeQueryIsReadWithItsTimesChecked() {
    String yaml =
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: t
        spec:
          metrics:
            - name: m
              successCondition: "all(result, # < 1)"
              provider:
                prometheus:
                  address: http://p:9090
                  query: q
                  rangeQuery: {start: 'now() - duration("15m")', end: now(), step: 1m}
        """;
    LoadResult.Loaded loaded = assertInstanceOf(LoadResult.Loaded.class, load(yaml));
    Metric metric = loaded.state().templates().get("t").metrics().get(0);
    assertEquals(
        Optional.of(new RangeQuery("now() - duration(\"15m\")", "now()", Duration.ofMinutes(1))),
        ((Prometheus) metric.provider()).rangeQuery());
  }

  @Test
  void argsAndRolloutValuesMayBeUsedInConditions() {
    String yaml =
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: t
        spec:
          args: [{name: threshold, value: "0.05"}]
          metrics:
            - name: m
              interval: 30s
              count: 5
              successCondition: "result[0] < {{args.threshold}} && '{{rollout.namespace}}' != ''"
              provider: {prometheus: {address: "http://p:9090", query: q}}
        """;
    assertInstanceOf(LoadResult.Loaded.class, load(yaml));
  }
}
