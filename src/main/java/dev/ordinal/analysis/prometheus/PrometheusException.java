package dev.ordinal.analysis.prometheus;

/** A query that produced no usable answer; the message names the address and the query. */
public final class PrometheusException extends Exception {
  public PrometheusException(String message) {
    super(message);
  }

  public PrometheusException(String message, Throwable cause) {
    super(message, cause);
  }
}
