package dev.ordinal.web;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * One hardened HTTP/1.1 listener on Jetty core: its own threads, so that nothing done to one
 * listener slows another; a deadline for the request head from the moment a connection opens; an
 * idle timeout; a cap on open connections and on the size of the request head; one request per
 * connection; error pages without stack traces. Bound by {@link #bind} (so a busy port is the first
 * error), serving from {@link #start}.
 */
final class Listener implements AutoCloseable {
  // How long past a body's deadline a connection stays open, for the 408 to be written.
  private static final Duration BODY_ANSWER_MARGIN = Duration.ofSeconds(5);

  private final String name;
  private final String listen;
  private final Server server;
  private final ServerConnector connector;
  private final HeadDeadline deadline;

  private Listener(
      String name, String listen, Server server, ServerConnector connector, HeadDeadline deadline) {
    this.name = name;
    this.listen = listen;
    this.server = server;
    this.connector = connector;
    this.deadline = deadline;
  }

  /**
   * Binds {@code address} without serving yet.
   *
   * @param name what the listener is for, in messages ("probes and metrics", "webhook")
   * @throws IOException naming the address, when it is in use or cannot be bound
   */
  static Listener bind(String name, InetSocketAddress address, Limits limits) throws IOException {
    String listen = address.getHostString() + ":" + address.getPort();
    QueuedThreadPool threads = new QueuedThreadPool(Math.max(4, limits.maxThreads()), 2, 60_000);
    threads.setName("ordinal-http-" + name.replaceAll("[^a-z]+", "-"));
    threads.setDaemon(true);
    // The scheduler's thread is a daemon too: a listener left open must not keep the JVM alive.
    Server server =
        new Server(
            threads,
            new ScheduledExecutorScheduler(
                "ordinal-http-" + name.replaceAll("[^a-z]+", "-") + "-scheduler", true),
            null);
    server.setStopTimeout(1_000);

    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(limits.maxHeaderBytes());
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // One request per connection: the head deadline then covers every request a client sends.
    http.setPersistentConnectionsEnabled(false);
    HeadDeadline deadline = new HeadDeadline(limits.headerTimeout().toMillis());
    http.addCustomizer(deadline);

    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    // Never shorter than the body's deadline, which answers 408: an idle timeout that fired first
    // would end a slow body with a 400 and a shorter wait than the one promised.
    connector.setIdleTimeout(
        Math.max(
            limits.idleTimeout().toMillis(),
            limits.bodyTimeout().plus(BODY_ANSWER_MARGIN).toMillis()));
    connector.addBean(deadline);
    deadline.connector = connector;
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));

    server.setErrorHandler(new StatusOnlyErrors());
    try {
      connector.open();
    } catch (IOException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException(
          "cannot listen on "
              + listen
              + " for "
              + name
              + ": "
              + cause.getMessage()
              + bindHint(cause),
          e);
    }
    return new Listener(name, listen, server, connector, deadline);
  }

  /** Starts serving with {@code handler}. */
  void start(Handler handler) throws IOException {
    server.setHandler(handler);
    try {
      server.start();
    } catch (Exception e) {
      throw new IOException("cannot serve " + name + " on " + listen + ": " + e.getMessage(), e);
    }
  }

  /** The bound port (useful when bound to port 0). */
  int port() {
    return connector.getLocalPort();
  }

  /** The address as configured, for messages. */
  String listen() {
    return listen;
  }

  /** Connections closed because their request head did not arrive in time. */
  long slowHeadsClosed() {
    return deadline.closed.get();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping is best effort; the daemon is going away
    } finally {
      connector.close();
    }
  }

  /**
   * Closes a connection whose request head is not complete within the timeout of its opening, so a
   * client that sends half a request line (slow-loris) holds a socket for seconds, not forever.
   * Armed when a connection opens, disarmed when its request head has been parsed.
   */
  static final class HeadDeadline implements Connection.Listener, HttpConfiguration.Customizer {
    private static final Scheduler.Task ARMING = () -> false;

    private final long timeoutMillis;
    private volatile ServerConnector connector;
    private final Map<Connection, Scheduler.Task> armed = new ConcurrentHashMap<>();
    final AtomicLong closed = new AtomicLong();

    HeadDeadline(long timeoutMillis) {
      this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void onOpened(Connection connection) {
      armed.put(connection, ARMING);
      Scheduler.Task task =
          connector
              .getScheduler()
              .schedule(() -> expire(connection), timeoutMillis, TimeUnit.MILLISECONDS);
      if (!armed.replace(connection, ARMING, task)) {
        task.cancel();
      }
    }

    private void expire(Connection connection) {
      if (armed.remove(connection) != null) {
        closed.incrementAndGet();
        connection.getEndPoint().close();
      }
    }

    @Override
    public void onClosed(Connection connection) {
      disarm(connection);
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
      disarm(request.getConnectionMetaData().getConnection());
      return request;
    }

    private void disarm(Connection connection) {
      Scheduler.Task task = armed.remove(connection);
      if (task != null) {
        task.cancel();
      }
    }
  }

  /**
   * Error pages that say the status and nothing else: Jetty's own, even with stacks and causes off,
   * print the message of an exception that escaped a handler, and the request's URI.
   */
  static final class StatusOnlyErrors extends ErrorHandler {
    @Override
    protected void generateResponse(
        Request request,
        Response response,
        int code,
        String message,
        Throwable cause,
        Callback callback) {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      String body = code + " " + HttpStatus.getMessage(code) + "\n";
      response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.US_ASCII)), callback);
    }
  }

  /** What to try, for the two ways a bind fails that a user can do something about. */
  private static String bindHint(Throwable cause) {
    String message = String.valueOf(cause.getMessage());
    if (message.contains("already in use")) {
      return " (is another Ordinal running?)";
    }
    if (message.contains("Cannot assign requested address")) {
      return " (no network interface of this host has that address; listen on 127.0.0.1,"
          + " 0.0.0.0 or one of its own)";
    }
    return "";
  }
}
