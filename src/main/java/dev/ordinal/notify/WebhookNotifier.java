package dev.ordinal.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends notifications to one webhook URL, in order, on its own thread: {@link #send} only queues,
 * so a slow or broken receiver never holds up a rollout. A failed delivery (an I/O error, a 5xx or
 * a 429) is retried with exponential backoff, up to {@value #ATTEMPTS} attempts, before the next
 * one is sent; a 4xx is not retried. The queue is bounded: when the receiver is down for long, the
 * oldest notifications are dropped and counted. Logs name the target, never its URL, which for
 * Slack is itself a secret.
 */
public final class WebhookNotifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);

  static final int ATTEMPTS = 5;
  static final int QUEUE = 200;

  /** A delivery's outcome, for tests and metrics. */
  public enum Result {
    DELIVERED,
    FAILED,
    DROPPED
  }

  /** Told about every delivery's outcome. */
  @FunctionalInterface
  public interface Outcome {
    void delivered(String target, Result result, int attempts);
  }

  private final String name;
  private final URI url;
  private final Formats.Format format;
  private final Duration firstBackoff;
  private final Outcome outcome;
  private final HttpClient http;
  private final BlockingDeque<Notification> queue = new LinkedBlockingDeque<>(QUEUE);
  private final Thread worker;
  private volatile boolean closed;

  /**
   * @param name how logs and metrics name this target
   * @param firstBackoff the wait before the first retry; each later one doubles it
   */
  public WebhookNotifier(
      String name, URI url, Formats.Format format, Duration firstBackoff, Outcome outcome) {
    this.name = name;
    this.url = url;
    this.format = format;
    this.firstBackoff = firstBackoff;
    this.outcome = outcome;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.worker = new Thread(this::deliverAll, "ordinal-notify-" + name);
    worker.setDaemon(true);
    worker.start();
  }

  public String name() {
    return name;
  }

  /** Queues {@code n}; returns at once. */
  public void send(Notification n) {
    if (closed) {
      return;
    }
    while (!queue.offerLast(n)) {
      if (queue.pollFirst() != null) {
        outcome.delivered(name, Result.DROPPED, 0);
        log.warn("notifications to {}: queue full, dropped the oldest", name);
      }
    }
  }

  private void deliverAll() {
    while (!closed) {
      Notification n;
      try {
        n = queue.takeFirst();
      } catch (InterruptedException e) {
        return;
      }
      deliver(n);
    }
  }

  private void deliver(Notification n) {
    String body = Formats.render(format, n);
    Duration backoff = firstBackoff;
    for (int attempt = 1; attempt <= ATTEMPTS && !closed; attempt++) {
      String problem;
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(url)
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "ordinal")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        int code = response.statusCode();
        if (code >= 200 && code < 300) {
          outcome.delivered(name, Result.DELIVERED, attempt);
          return;
        }
        if (code >= 400 && code < 500 && code != 429) {
          log.warn("notification {} to {} refused with HTTP {}; not retried", n.kind(), name, code);
          outcome.delivered(name, Result.FAILED, attempt);
          return;
        }
        problem = "HTTP " + code;
      } catch (IOException e) {
        // the message of a connect failure may hold the host, never the path with a token
        problem = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (attempt == ATTEMPTS) {
        log.warn(
            "notification {} to {} failed after {} attempts ({}); dropped",
            n.kind(),
            name,
            ATTEMPTS,
            problem);
        outcome.delivered(name, Result.FAILED, attempt);
        return;
      }
      log.info(
          "notification {} to {} failed ({}), retrying in {} ms",
          n.kind(),
          name,
          problem,
          backoff.toMillis());
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      backoff = backoff.multipliedBy(2);
    }
  }

  /** Stops at once; what is still queued is not sent. */
  @Override
  public void close() {
    closed = true;
    worker.interrupt();
  }
}
