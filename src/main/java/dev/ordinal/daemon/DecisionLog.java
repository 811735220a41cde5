package dev.ordinal.daemon;

import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RecreateEvent;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.SyncEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One log line per decision, written after the decision's write succeeded, with namespace,
 * StatefulSet and step in the MDC. A wait that repeats the last one for a StatefulSet (the same
 * decision re-made on another watch event) goes to debug.
 */
final class DecisionLog implements EventBus.Subscriber {
  private static final Logger log = LoggerFactory.getLogger("dev.ordinal.decisions");

  private final Map<String, String> lastWait = new ConcurrentHashMap<>();

  @Override
  public void on(EventBus.Occurrence o) {
    if (o.event() instanceof SyncEvent sync) {
      try (var app = MDC.putCloseable("app", sync.app())) {
        log.info("sync revision={} {}", sync.revision(), sync.message());
      }
      return;
    }
    if (o.event() instanceof RecreateEvent recreate) {
      try (var ns = MDC.putCloseable("namespace", o.namespace());
          var name = MDC.putCloseable("statefulSet", o.name());
          var at = MDC.putCloseable("step", "recreate-" + recreate.step().label())) {
        String line =
            o.action()
                + " "
                + (recreate.warning() ? "Warning " : "Normal ")
                + recreate.step().reason()
                + ": "
                + recreate.message();
        if (recreate.step() == RecreateEvent.Step.WAITING) {
          log.debug(line);
        } else {
          log.info(line);
        }
      }
      return;
    }
    RolloutEvent event = (RolloutEvent) o.event();
    String step = o.state().map(DecisionLog::step).orElse("");
    try (var ns = MDC.putCloseable("namespace", o.namespace());
        var name = MDC.putCloseable("statefulSet", o.name());
        var at = MDC.putCloseable("step", step)) {
      String line =
          o.action()
              + o.state().map(s -> " phase=" + s.phase().displayName()).orElse("")
              + " "
              + event.type().displayName()
              + " "
              + event.reason()
              + ": "
              + event.message();
      if (event instanceof RolloutEvent.Waiting) {
        if (line.equals(lastWait.put(o.key(), line))) {
          log.debug(line);
          return;
        }
      } else {
        lastWait.remove(o.key());
      }
      log.info(line);
    }
  }

  /** {@code 2/5}, {@code full} once every step is done, {@code -} when no rollout runs. */
  static String step(RolloutState state) {
    if (state.phase() == Phase.HEALTHY) {
      return "-";
    }
    if (state.stepCount() > 0 && state.stepIndex() >= state.stepCount()) {
      return "full";
    }
    return (state.stepIndex() + 1) + "/" + (state.stepCount() > 0 ? state.stepCount() : "?");
  }

  /** Forgets a StatefulSet Ordinal no longer manages. */
  void forget(String key) {
    lastWait.remove(key);
  }
}
