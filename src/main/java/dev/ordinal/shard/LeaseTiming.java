package dev.ordinal.shard;

import java.time.Duration;

/**
 * The timings of a Lease held by renewing it, as client-go's leader election has them: the leader
 * Lease and each shard's Lease. A holder stops writing {@code renewDeadline} after its last
 * successful renewal, which is shorter than the {@code leaseDuration} others wait before they take
 * the Lease over, so two holders never write at once.
 */
public record LeaseTiming(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
  /** client-go's defaults. */
  public static final LeaseTiming DEFAULT =
      new LeaseTiming(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

  public LeaseTiming {
    if (renewDeadline.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException("the renew deadline must be shorter than the lease");
    }
  }
}
