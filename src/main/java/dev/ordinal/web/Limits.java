package dev.ordinal.web;

import java.time.Duration;

/**
 * What one HTTP listener allows a client, so that slow or large clients cost bounded resources.
 *
 * @param headerTimeout a connection must send a complete request head (request line and headers)
 *     within this time of opening, else it is closed: a half-sent request line holds nothing
 * @param idleTimeout a connection that sends or receives nothing for this long is closed
 * @param bodyTimeout a request body must arrive whole within this time of its head (408 after)
 * @param maxConnections connections open at once; past it the listener stops accepting until some
 *     close (they wait in the kernel's backlog)
 * @param maxThreads worker threads of the listener; no request handler blocks on a client
 * @param maxHeaderBytes the request line and headers together; larger is answered 431
 * @param maxBodyBytes request bodies over this are answered 413 without being read whole
 * @param maxBodiesInFlight request bodies being read at once; more is answered 503
 */
public record Limits(
    Duration headerTimeout,
    Duration idleTimeout,
    Duration bodyTimeout,
    int maxConnections,
    int maxThreads,
    int maxHeaderBytes,
    long maxBodyBytes,
    int maxBodiesInFlight) {

  /** The probes, metrics and status listener: small GETs, no bodies. */
  public static Limits internal() {
    return new Limits(
        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(5), 256, 8, 8192, 0, 0);
  }

  /** The webhook listener: bodies up to {@code maxBodyBytes}, a few at a time. */
  public static Limits webhook(long maxBodyBytes) {
    return new Limits(
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(20),
        64,
        8,
        16384,
        maxBodyBytes,
        8);
  }

  public Limits withHeaderTimeout(Duration timeout) {
    return new Limits(
        timeout,
        idleTimeout,
        bodyTimeout,
        maxConnections,
        maxThreads,
        maxHeaderBytes,
        maxBodyBytes,
        maxBodiesInFlight);
  }

  public Limits withBodyTimeout(Duration timeout) {
    return new Limits(
        headerTimeout,
        idleTimeout,
        timeout,
        maxConnections,
        maxThreads,
        maxHeaderBytes,
        maxBodyBytes,
        maxBodiesInFlight);
  }
}
