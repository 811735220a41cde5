package dev.ordinal.analysis.prometheus;

import dev.ordinal.manifest.Escapes;

/**
 * A query that produced no usable answer; the message names the address and the query. It reaches
 * logs, a rollout's status and terminals with a query from Git and a body from the server in it, so
 * control characters are written out here, for every caller.
 */
public final class PrometheusException extends Exception {
  public PrometheusException(String message) {
    super(Escapes.controls(message));
  }

  public PrometheusException(String message, Throwable cause) {
    super(Escapes.controls(message), cause);
  }
}
