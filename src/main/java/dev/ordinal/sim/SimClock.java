package dev.ordinal.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Simulated time that runs {@code speed} times faster than the wall clock, from a start instant: a
 * ten-minute rollout plays in ten seconds at speed 60. Everything that waits in the simulation (pod
 * readiness, rechecks, analysis intervals) waits {@link #real} of its simulated duration.
 */
public final class SimClock extends Clock {
  private final Instant start;
  private final long startNanos;
  private final double speed;

  public SimClock(Instant start, double speed) {
    if (!(speed > 0)) {
      throw new IllegalArgumentException("speed must be positive, got " + speed);
    }
    this.start = start;
    this.startNanos = System.nanoTime();
    this.speed = speed;
  }

  public double speed() {
    return speed;
  }

  /** The wall-clock time a simulated duration takes. */
  public Duration real(Duration simulated) {
    return Duration.ofNanos((long) (simulated.toNanos() / speed));
  }

  @Override
  public Instant instant() {
    long elapsed = System.nanoTime() - startNanos;
    return start.plusNanos((long) (elapsed * speed));
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
