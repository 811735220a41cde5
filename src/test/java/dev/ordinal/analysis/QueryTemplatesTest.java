package dev.ordinal.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.manifest.AnalysisArg;
import dev.ordinal.manifest.AnalysisTemplate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueryTemplatesTest {
  private static final RolloutContext ROLLOUT =
      new RolloutContext("shop", "db", "db-7c9f", "db-5b2a", List.of("db-3", "db-4", "db-10"));

  private static final AnalysisTemplate TEMPLATE =
      TestTemplates.template(
          "errors",
          List.of(
              new AnalysisArg("service", Optional.empty()),
              new AnalysisArg("threshold", Optional.of("0.05"))),
          TestTemplates.metric("m").success("true"));

  @Test
  void argsTakeDefaultsAndTheRefOverrides() throws Exception {
    assertEquals(
        Map.of("service", "api", "threshold", "0.05"),
        QueryTemplates.resolveArgs(TEMPLATE, Map.of("service", "api")));
    assertEquals(
        Map.of("service", "api", "threshold", "0.1"),
        QueryTemplates.resolveArgs(
            TEMPLATE, Map.of("service", "api", "threshold", "0.1", "unused", "x")));
  }

  @Test
  void missingRequiredArgIsAnError() {
    AnalysisSetupException error =
        assertThrows(
            AnalysisSetupException.class, () -> QueryTemplates.resolveArgs(TEMPLATE, Map.of()));
    assertEquals(
        "AnalysisTemplate 'errors' needs arg(s) [service] that have no default and were not passed",
        error.getMessage());
  }

  @Test
  void rendersArgsAndRolloutFields() throws Exception {
    String query =
        "sum(rate(errors{service=\"{{args.service}}\",namespace=\"{{rollout.namespace}}\",sts=\"{{ rollout.statefulset }}\","
            + "rev=\"{{rollout.canaryRevision}}\",stable=\"{{rollout.stableRevision}}\",pod=~\"{{rollout.canaryPods}}\"}[1m]))";
    assertEquals(
        "sum(rate(errors{service=\"api\",namespace=\"shop\",sts=\"db\",rev=\"db-7c9f\",stable=\"db-5b2a\",pod=~\"db-10|db-4|db-3\"}[1m]))",
        QueryTemplates.render(query, Map.of("service", "api"), ROLLOUT));
  }

  @Test
  void podNamesAreRegexEscapedAndThenEscapedForTheStringTheySitIn() throws Exception {
    assertEquals("web\\.a-1|web\\.a-0", QueryTemplates.podsRegex(List.of("web.a-0", "web.a-1")));
    RolloutContext dotted =
        new RolloutContext("shop", "web", "a", "b", List.of("web.a-0"), List.of("web.a-2"));
    assertEquals(
        "x{pod=~\"web\\\\.a-0\"} / x{pod=~'web\\\\.a-2'}",
        QueryTemplates.render(
            "x{pod=~\"{{rollout.canaryPods}}\"} / x{pod=~'{{rollout.stablePods}}'}",
            Map.of(),
            dotted));
  }

  @Test
  void stablePodsAreTheBaselineForAComparison() throws Exception {
    RolloutContext rollout =
        new RolloutContext(
            "shop", "db", "db-new", "db-old", List.of("db-3"), List.of("db-0", "db-2", "db-1"));
    assertEquals(
        "rate(e{pod=~\"db-3\"}[5m]) / rate(e{pod=~\"db-2|db-1|db-0\"}[5m])",
        QueryTemplates.render(
            "rate(e{pod=~\"{{rollout.canaryPods}}\"}[5m]) / rate(e{pod=~\"{{rollout.stablePods}}\"}[5m])",
            Map.of(),
            rollout));
    assertEquals(
        "query 'e{pod=~\"{{rollout.stablePods}}\"}' uses {{rollout.stablePods}} but the rollout has no"
            + " stable pods",
        assertThrows(
                AnalysisSetupException.class,
                () ->
                    QueryTemplates.render("e{pod=~\"{{rollout.stablePods}}\"}", Map.of(), ROLLOUT))
            .getMessage());
  }

  @Test
  void anArgThatTriesToLeaveItsLabelMatcherStaysInside() throws Exception {
    String hostile = "\"} or vector(1) or up{a=\"";
    String rendered =
        QueryTemplates.render(
            "sum(errors{service=\"{{args.service}}\"}) / sum(requests{service='{{args.service}}'})",
            Map.of("service", hostile + "'\\"),
            ROLLOUT);
    assertEquals(
        "sum(errors{service=\"\\\"} or vector(1) or up{a=\\\"'\\\\\"})"
            + " / sum(requests{service='\"} or vector(1) or up{a=\"\\'\\\\'})",
        rendered);
  }

  @Test
  void outsideQuotesOnlyNumbersDurationsAndNamesAreAccepted() throws Exception {
    assertEquals(
        "rate(x[5m]) > 0.05 and on() up > 1e-3 * my_metric",
        QueryTemplates.render(
            "rate(x[{{args.window}}]) > {{args.threshold}} and on() up > {{args.tiny}} * {{args.name}}",
            Map.of("window", "5m", "threshold", "0.05", "tiny", "1e-3", "name", "my_metric"),
            ROLLOUT));
    assertEquals(
        "query 'x > {{args.threshold}}': {{args.threshold}} is \"0 or vector(1)\" and sits outside"
            + " quotes, where only a number, a duration or a metric name is safe; quote the"
            + " placeholder in the query, or pass such a value",
        assertThrows(
                AnalysisSetupException.class,
                () ->
                    QueryTemplates.render(
                        "x > {{args.threshold}}", Map.of("threshold", "0 or vector(1)"), ROLLOUT))
            .getMessage());
  }

  @Test
  void quotesInCommentsAndEscapedQuotesDoNotConfuseTheContext() throws Exception {
    assertEquals(
        "x{a=\"it\\\"s\",b=\"v\\\"\"} # don't\n > 1",
        QueryTemplates.render(
            "x{a=\"it\\\"s\",b=\"{{args.v}}\"} # don't\n > {{args.n}}",
            Map.of("v", "v\"", "n", "1"),
            ROLLOUT));
    assertThrows(
        AnalysisSetupException.class,
        () -> QueryTemplates.render("x{a=`{{args.v}}`}", Map.of("v", "`"), ROLLOUT));
  }

  @Test
  void unknownPlaceholdersAndEmptyCanaryAreErrors() {
    assertEquals(
        "query 'x{a=\"{{args.nope}}\"}' uses {{args.nope}} but there is no arg 'nope'",
        assertThrows(
                AnalysisSetupException.class,
                () -> QueryTemplates.render("x{a=\"{{args.nope}}\"}", Map.of(), ROLLOUT))
            .getMessage());
    assertThrows(
        AnalysisSetupException.class,
        () -> QueryTemplates.render("{{rollout.replicas}}", Map.of(), ROLLOUT));
    RolloutContext noCanary = new RolloutContext("shop", "db", "a", "b", List.of());
    assertEquals(
        "query 'x{pod=~\"{{rollout.canaryPods}}\"}' uses {{rollout.canaryPods}} but the rollout has no canary pods",
        assertThrows(
                AnalysisSetupException.class,
                () ->
                    QueryTemplates.render("x{pod=~\"{{rollout.canaryPods}}\"}", Map.of(), noCanary))
            .getMessage());
  }
}
