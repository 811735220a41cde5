package dev.ordinal.web;

import dev.ordinal.analysis.Measurement;
import dev.ordinal.analysis.RunSnapshot;
import dev.ordinal.git.RepoUrl;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.LiveRollout;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PodView;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One rollout as {@code /status} serves it and the status page draws it: where it stands and why,
 * its steps, its pods by revision role, the analysis measurements with the numbers their conditions
 * compare with, and the recent decisions. A pure function of its inputs; the text in it comes from
 * Git and the cluster and is escaped by the page where it is shown.
 */
final class RolloutJson {
  private RolloutJson() {}

  static Map<String, Object> of(
      LiveRollout r,
      List<StatusPage.AnalysisRun> runs,
      List<DecisionHistory.Decision> decisions,
      Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("namespace", r.sts().namespace());
    m.put("name", r.sts().name());
    m.put("app", r.sts().source().app());
    RolloutState state = r.state().orElse(null);
    m.put(
        "commit",
        state != null && !state.source().commit().isEmpty()
            ? state.source().commit()
            : r.sts().source().commit());
    m.put("phase", r.phase().displayName());
    m.put("reasonCode", state == null ? "NONE" : state.reasonCode().name());
    m.put("reason", state == null ? "" : RepoUrl.redactText(state.reason()));
    m.put("stateError", RepoUrl.redactText(r.stateError()));
    int count = r.spec().steps().size();
    int index = state == null ? 0 : state.stepIndex();
    m.put("step", r.active() ? Math.min(index + 1, count + 1) : 0);
    m.put("steps", count);
    m.put("stable", r.stable());
    m.put("target", r.target());
    m.put("replicas", r.sts().replicas());
    m.put("partition", r.sts().partition());
    m.put("strategy", r.sts().strategy().name());
    // when the step began, not how long ago: the document then changes only when the rollout does
    // (the page counts the seconds itself, so it is not redrawn on every poll)
    m.put(
        "stepStartedAt",
        state == null || r.timeInStep(now).isZero() ? null : state.stepStartedAt().toString());
    m.put("progressDeadlineSeconds", r.spec().progressDeadline().toSeconds());
    m.put("stepList", steps(r, index));
    m.put("pods", pods(r));
    Map<String, Object> roles = new LinkedHashMap<>();
    for (LiveRollout.Role role : LiveRollout.Role.values()) {
      roles.put(role.label(), Map.of("pods", r.pods(role), "ready", r.ready(role)));
    }
    m.put("roles", roles);
    m.put(
        "verdicts",
        state == null ? List.of() : state.verdicts().stream().map(Object::toString).toList());
    m.put("failedRevisions", state == null ? List.of() : List.copyOf(state.failedRevisions()));
    m.put("userPaused", state != null && state.userPaused());
    m.put("backup", state == null || state.backup() == null ? null : backup(state.backup()));
    m.put("restore", state == null || state.restore() == null ? null : restore(state.restore()));
    m.put("analysis", runs.stream().map(RolloutJson::run).toList());
    m.put("decisions", decisions.stream().map(RolloutJson::decision).toList());
    return m;
  }

  /** Each step of the policy, then full promotion, with whether it is done, current or to come. */
  private static List<Map<String, Object>> steps(LiveRollout r, int index) {
    List<Step> steps = r.spec().steps();
    boolean stepping = r.phase() == Phase.PROGRESSING || r.phase() == Phase.PAUSED;
    boolean failed = r.phase() == Phase.DEGRADED || r.phase() == Phase.ROLLED_BACK;
    List<Map<String, Object>> list = new ArrayList<>();
    for (int i = 0; i <= steps.size(); i++) {
      String status;
      if (!r.active()) {
        status = "done";
      } else if (i < index) {
        status = "done";
      } else if (i == index) {
        status = stepping ? (r.phase() == Phase.PAUSED ? "paused" : "current") : "failed";
      } else {
        status = failed ? "skipped" : "pending";
      }
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("index", i + 1);
      s.put("kind", i == steps.size() ? "promote" : kind(steps.get(i)));
      s.put("text", i == steps.size() ? "full promotion" : describe(steps.get(i)));
      s.put("status", status);
      list.add(s);
    }
    return list;
  }

  private static String kind(Step step) {
    if (step instanceof Step.Canary) {
      return "canary";
    }
    return step instanceof Step.Pause ? "pause" : "analysis";
  }

  static String describe(Step step) {
    if (step instanceof Step.Canary c) {
      return c.replicas() != null
          ? "canary " + c.replicas() + " pod" + (c.replicas() == 1 ? "" : "s")
          : "canary " + c.percent() + "%";
    }
    if (step instanceof Step.Pause p) {
      return p.duration().map(d -> "pause " + human(d)).orElse("manual gate");
    }
    return "analysis "
        + ((Step.Analysis) step)
            .templates().stream().map(AnalysisRef::templateName).collect(Collectors.joining(", "));
  }

  private static String human(Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  private static List<Map<String, Object>> pods(LiveRollout r) {
    List<PodView> sorted = new ArrayList<>(r.pods());
    sorted.sort(Comparator.comparingInt(PodView::ordinal));
    List<Map<String, Object>> list = new ArrayList<>();
    for (PodView p : sorted) {
      Map<String, Object> pod = new LinkedHashMap<>();
      pod.put("name", p.name());
      pod.put("ordinal", p.ordinal());
      pod.put("revision", p.revision());
      pod.put("role", r.role(p).label());
      pod.put("ready", p.ready());
      pod.put("restarts", p.restartCount());
      pod.put("terminating", p.terminating());
      list.add(pod);
    }
    return list;
  }

  /** The latest backup: its id names the VolumeSnapshot set {@code ordinal backup} lists. */
  private static Map<String, Object> backup(RolloutState.Backup b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", b.id());
    m.put("stage", b.stage().name());
    m.put("startedAt", b.startedAt().toString());
    m.put("manual", b.manual());
    m.put("failure", RepoUrl.redactText(b.failure()));
    m.put("ranTarget", b.ranTarget());
    m.put("restored", b.restored());
    return m;
  }

  /** The restore in progress: which pods' claims come back from which backup, and how far. */
  private static Map<String, Object> restore(RolloutState.Restore r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("backupId", r.backupId());
    m.put("ordinals", r.ordinals());
    m.put("stage", r.stage().name());
    m.put("startedAt", r.startedAt().toString());
    m.put("auto", r.auto());
    return m;
  }

  private static Map<String, Object> run(StatusPage.AnalysisRun run) {
    RunSnapshot s = run.snapshot();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", run.step());
    m.put("verdict", s.verdict().name());
    m.put("startedAt", s.startedAt().toString());
    m.put("stopped", s.stopped());
    m.put("message", RepoUrl.redactText(s.message()));
    List<Map<String, Object>> metrics = new ArrayList<>();
    for (RunSnapshot.MetricSnapshot metric : s.metrics()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("template", metric.template());
      x.put("metric", metric.metric());
      x.put("phase", metric.phase().name());
      x.put("dryRun", metric.dryRun());
      x.put("decidedBy", metric.decidedBy().field());
      x.put("explanation", RepoUrl.redactText(metric.explanation()));
      x.put("limits", metric.limits().describe());
      x.put("successCondition", metric.successCondition().orElse(""));
      x.put("failureCondition", metric.failureCondition().orElse(""));
      x.put(
          "thresholds",
          metric.thresholds().stream()
              .map(
                  t ->
                      Map.<String, Object>of(
                          "condition",
                          t.failure() ? "failure" : "success",
                          "op",
                          t.op(),
                          "value",
                          t.value()))
              .toList());
      x.put("measurements", metric.recent().stream().map(RolloutJson::measurement).toList());
      metrics.add(x);
    }
    m.put("metrics", metrics);
    return m;
  }

  private static Map<String, Object> measurement(Measurement measurement) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", measurement.time().toString());
    m.put("phase", measurement.phase().name());
    m.put("value", measurement.value());
    List<Double> numbers = measurement.numbers();
    // JSON has no NaN or infinity: the page shows those from the text and plots nothing
    m.put("number", numbers.isEmpty() || !Double.isFinite(numbers.get(0)) ? null : numbers.get(0));
    m.put("message", RepoUrl.redactText(measurement.message()));
    return m;
  }

  private static Map<String, Object> decision(DecisionHistory.Decision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", d.at().toString());
    m.put("action", d.action());
    m.put("reason", d.reason());
    m.put("type", d.type());
    m.put("message", RepoUrl.redactText(d.message()));
    m.put("step", d.step());
    return m;
  }
}
