package dev.ordinal.web;

import dev.ordinal.git.LogSafe;
import dev.ordinal.git.WebhookHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's own listener: one path (default {@code /webhook}), POST only, handled by a {@link
 * WebhookHandler}. Its own threads and limits ({@link Limits#webhook}) keep it apart from the
 * probes.
 *
 * <p>Bodies are read without blocking a thread and never past the limit: a declared {@code
 * Content-Length} over it is answered 413 before a byte is read, and a body that grows past it
 * while arriving (chunked) is answered 413 the moment it does, holding at most the limit plus one
 * network chunk in memory. A body that has not arrived whole within the body timeout is answered
 * 408. At most {@link Limits#maxBodiesInFlight()} bodies are read at once (503 beyond), so the
 * memory all webhooks can hold is bounded by that times the limit. With a secret configured, a
 * request carrying no signature header is answered 401 before its body is read.
 */
public final class WebhookEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookEndpoint.class);

  private final Listener listener;
  private final String path;
  private final Limits limits;
  private final Semaphore bodies;
  private final AtomicLong largestBodyHeld = new AtomicLong();
  private volatile IntConsumer answered = status -> {};

  private WebhookEndpoint(Listener listener, String path, Limits limits) {
    this.listener = listener;
    this.path = path;
    this.limits = limits;
    this.bodies = new Semaphore(Math.max(1, limits.maxBodiesInFlight()));
  }

  /**
   * Binds {@code address} without serving yet.
   *
   * @throws IOException naming the address, when it is in use or cannot be bound
   */
  public static WebhookEndpoint bind(InetSocketAddress address, String path, Limits limits)
      throws IOException {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("the webhook path starts with '/': " + path);
    }
    return new WebhookEndpoint(Listener.bind("webhook", address, limits), path, limits);
  }

  /** Starts answering webhooks with {@code handler}. */
  public void serve(WebhookHandler handler) throws IOException {
    serve(handler, status -> {});
  }

  /**
   * Starts answering webhooks with {@code handler}, telling {@code answered} the status of every
   * answer (for the deliveries metric), refusals by the listener's limits included.
   */
  public void serve(WebhookHandler handler, IntConsumer answered) throws IOException {
    this.answered = answered;
    listener.start(new Hooks(handler));
  }

  public int port() {
    return listener.port();
  }

  public String path() {
    return path;
  }

  public String listen() {
    return listener.listen();
  }

  /** The most body bytes held in memory for one request so far (never above limit + a chunk). */
  public long largestBodyHeld() {
    return largestBodyHeld.get();
  }

  /** Connections closed because their request head did not arrive in time. */
  public long slowHeadsClosed() {
    return listener.slowHeadsClosed();
  }

  @Override
  public void close() {
    listener.close();
  }

  private final class Hooks extends Handler.Abstract {
    private final WebhookHandler handler;

    Hooks(WebhookHandler handler) {
      this.handler = handler;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      if (!Request.getPathInContext(request).equals(path)) {
        send(response, callback, new WebhookHandler.Answer(404, "not found"));
        return true;
      }
      WebhookHandler.Headers headers = name -> request.getHeaders().get(name);
      String remote = Request.getRemoteAddr(request);
      Optional<WebhookHandler.Answer> early =
          handler.beforeBody(request.getMethod(), headers, remote);
      if (early.isPresent()) {
        send(response, callback, early.get());
        return true;
      }
      long declared = request.getLength();
      if (declared > limits.maxBodyBytes()) {
        LOG.warn(
            "refused a webhook from {}: body of {} bytes is over the {}-byte limit",
            LogSafe.text(remote),
            declared,
            limits.maxBodyBytes());
        send(response, callback, tooLarge());
        return true;
      }
      if (!bodies.tryAcquire()) {
        send(
            response,
            callback,
            new WebhookHandler.Answer(
                503, "too many webhooks at once; retry", Map.of("Retry-After", "1")));
        return true;
      }
      new BodyReader(request, response, callback, handler, headers, remote).start();
      return true;
    }
  }

  private WebhookHandler.Answer tooLarge() {
    return new WebhookHandler.Answer(
        413, "payload larger than " + limits.maxBodyBytes() + " bytes");
  }

  /** Reads one body as it arrives, on no thread while it waits, up to the limit. */
  private final class BodyReader implements Runnable {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final WebhookHandler handler;
    private final WebhookHandler.Headers headers;
    private final String remote;
    private final AtomicBoolean done = new AtomicBoolean();
    private byte[] body = new byte[1024];
    private int size;
    private Scheduler.Task deadline;

    BodyReader(
        Request request,
        Response response,
        Callback callback,
        WebhookHandler handler,
        WebhookHandler.Headers headers,
        String remote) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.handler = handler;
      this.headers = headers;
      this.remote = remote;
    }

    void start() {
      deadline =
          request
              .getComponents()
              .getScheduler()
              .schedule(
                  () ->
                      finish(new WebhookHandler.Answer(408, "request body did not arrive in time")),
                  limits.bodyTimeout().toMillis(),
                  TimeUnit.MILLISECONDS);
      run();
    }

    @Override
    public void run() {
      while (!done.get()) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          finish(new WebhookHandler.Answer(400, "request body could not be read"));
          return;
        }
        ByteBuffer bytes = chunk.getByteBuffer();
        int n = bytes.remaining();
        if ((long) size + n > limits.maxBodyBytes()) {
          chunk.release();
          LOG.warn(
              "refused a webhook from {}: body over the {}-byte limit",
              LogSafe.text(remote),
              limits.maxBodyBytes());
          finish(tooLarge());
          return;
        }
        if (size + n > body.length) {
          int capacity =
              (int) Math.min(limits.maxBodyBytes(), Math.max(2L * body.length, size + n));
          body = Arrays.copyOf(body, capacity);
        }
        bytes.get(body, size, n);
        size += n;
        largestBodyHeld.accumulateAndGet(body.length, Math::max);
        boolean last = chunk.isLast();
        chunk.release();
        if (last) {
          byte[] whole = Arrays.copyOf(body, size);
          WebhookHandler.Answer answer;
          try {
            answer = handler.handle(headers, whole, remote);
          } catch (RuntimeException e) {
            LOG.warn("webhook failed: {}", LogSafe.text(e.toString()));
            answer = new WebhookHandler.Answer(500, "internal error");
          }
          finish(answer);
          return;
        }
      }
    }

    private void finish(WebhookHandler.Answer answer) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      if (deadline != null) {
        deadline.cancel();
      }
      bodies.release();
      send(response, callback, answer);
    }
  }

  private void send(Response response, Callback callback, WebhookHandler.Answer answer) {
    answered.accept(answer.status());
    response.setStatus(answer.status());
    answer.headers().forEach((name, value) -> response.getHeaders().put(name, value));
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (answer.body() == null || answer.status() == 204) {
      response.write(true, null, callback);
      return;
    }
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
    Content.Sink.write(response, true, answer.body() + "\n", callback);
  }
}
