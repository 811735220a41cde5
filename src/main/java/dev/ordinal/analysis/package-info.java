/**
 * Analysis: evaluating {@link dev.ordinal.manifest.AnalysisTemplate}s against Prometheus to decide
 * whether a rollout may continue.
 *
 * <ul>
 *   <li>{@link dev.ordinal.analysis.condition} parses and evaluates conditions (pure, no I/O; the
 *       manifest loader uses it to reject bad conditions at load time).
 *   <li>{@link dev.ordinal.analysis.prometheus} talks to Prometheus' HTTP API.
 *   <li>{@link dev.ordinal.analysis.MeasurementRules} classifies one query result; {@link
 *       dev.ordinal.analysis.MetricTally} applies the limits; {@link dev.ordinal.analysis.Verdicts}
 *       combines metrics into a run verdict.
 *   <li>{@link dev.ordinal.analysis.AnalysisRunner} runs analyses for the rollout executor through
 *       the {@link dev.ordinal.analysis.AnalysisRuns} port and persists progress in a {@link
 *       dev.ordinal.analysis.RunStore}.
 *   <li>{@link dev.ordinal.analysis.Backtest} replays a template over Prometheus' history.
 *   <li>{@link dev.ordinal.analysis.QueryTemplates} fills {@code {{args.*}}} and {@code
 *       {{rollout.*}}} placeholders, escaped for where they sit in PromQL.
 * </ul>
 *
 * <p>The rule that differs from Argo Rollouts: missing data never passes. An empty result, a NaN or
 * an infinity is INCONCLUSIVE, whatever the successCondition or a false failureCondition would say;
 * a metric that reaches its count, or is stopped, without a SUCCESSFUL measurement is never
 * SUCCESSFUL. README.md lists the other, smaller differences.
 */
package dev.ordinal.analysis;
