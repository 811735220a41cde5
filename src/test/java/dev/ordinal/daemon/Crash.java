package dev.ordinal.daemon;

import dev.ordinal.rollout.RecreateAction;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Thrown by a recreate's test hook to stop the sync right after an action, as a crash would. */
final class Crash extends RuntimeException {
  private Crash(RecreateAction after) {
    super("crashed after " + after.getClass().getSimpleName());
  }

  /** The hook: crashes after every action {@code when} accepts (a fresh Ordinal never crashes). */
  static Consumer<RecreateAction> after(Predicate<RecreateAction> when) {
    return action -> {
      if (when.test(action)) {
        throw new Crash(action);
      }
    };
  }
}
