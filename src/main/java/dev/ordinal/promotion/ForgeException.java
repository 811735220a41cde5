package dev.ordinal.promotion;

import java.time.Duration;
import java.util.Optional;

/**
 * A forge call that failed, with the HTTP status (0 when the forge was not reached) and, for a rate
 * limit, how long the forge asked to wait. The message says what to do and never holds a token.
 */
public final class ForgeException extends Exception {
  private final int status;
  private final Duration retryAfter;

  public ForgeException(int status, String message, Duration retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }

  public ForgeException(int status, String message) {
    this(status, message, null);
  }

  public int status() {
    return status;
  }

  /** For a rate limit: when the forge allows the next call. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
