package dev.ordinal.promotion;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;

/**
 * How forge adapters make their calls: the HTTP client, how they wait between attempts, the clock
 * that rate-limit resets and token expiries are read against, and the longest rate-limit wait worth
 * sitting out (a longer one fails at once with the time to wait, so no rollout ever waits for a
 * forge).
 */
public record ForgeClient(HttpClient http, Sleeper sleeper, Clock clock, Duration maxWait) {

  /** How an adapter waits between attempts; tests record instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** The system's clock, real sleeps and at most a minute's wait for a rate limit. */
  public static ForgeClient standard() {
    return new ForgeClient(
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
        d -> Thread.sleep(d.toMillis()),
        Clock.systemUTC(),
        Duration.ofMinutes(1));
  }
}
