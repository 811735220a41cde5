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
  void canaryPodNamesAreRegexEscapedForADoubleQuotedPromqlString() {
    assertEquals(
        "web\\\\.a-1|web\\\\.a-0", QueryTemplates.canaryPodsRegex(List.of("web.a-0", "web.a-1")));
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
