package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadlineRecheckTest {
  private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

  private static RolloutSpec deadline(Duration d) {
    return new RolloutSpec(List.of(Step.Canary.pods(1)), d, List.of());
  }

  @Test
  void aShortDeadlineIsRecheckedWhenItExpiresNotAtTheUsualInterval() {
    assertEquals(
        Duration.ofMillis(3_001),
        RolloutEngine.untilDeadline(deadline(Duration.ofSeconds(5)), T0, T0.plusSeconds(2)));
  }

  @Test
  void aLongDeadlineKeepsTheUsualInterval() {
    assertEquals(
        RolloutEngine.POD_RECHECK,
        RolloutEngine.untilDeadline(deadline(Duration.ofMinutes(10)), T0, T0.plusSeconds(2)));
  }

  @Test
  void anExpiredDeadlineIsRecheckedSoonButNotInATightLoop() {
    assertEquals(
        Duration.ofMillis(100),
        RolloutEngine.untilDeadline(deadline(Duration.ofSeconds(5)), T0, T0.plusSeconds(9)));
  }
}
