package dev.ordinal.web;

import dev.ordinal.git.LogSafe;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's internal listener: {@code /healthz}, {@code /readyz}, {@code /metrics} (Prometheus
 * text format) and {@code /status} (JSON), and any page added with {@link #register}. Read-only:
 * GET and HEAD only, no request bodies. It has its own threads and limits ({@link
 * Limits#internal()}), apart from the webhook's listener, so a slow or abusive client of the
 * webhook never delays a probe, and a client that stalls here is cut off after the head deadline.
 * Bound before anything else starts, so that a busy port is the first and only error.
 *
 * <p>To add a page (the status page, richer metrics views), register an {@link Endpoint} before or
 * after {@link #serve}:
 *
 * <pre>{@code
 * http.register("/ui", get -> Endpoint.Reply.html(page.render()));
 * }</pre>
 *
 * Paths match exactly; a path already taken (including the four above) is refused.
 */
public final class HttpEndpoints implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoints.class);

  /** What {@code /readyz} answers: 200 when ready, 503 otherwise, with a one-word body. */
  public record Readiness(boolean ready, String state) {}

  private final Listener listener;
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

  private HttpEndpoints(Listener listener) {
    this.listener = listener;
  }

  /**
   * Binds the address without serving yet.
   *
   * @throws IOException naming the address, when it is in use or cannot be bound
   */
  public static HttpEndpoints bind(InetSocketAddress address) throws IOException {
    return bind(address, Limits.internal());
  }

  public static HttpEndpoints bind(InetSocketAddress address, Limits limits) throws IOException {
    return new HttpEndpoints(Listener.bind("probes, metrics and status", address, limits));
  }

  /**
   * Adds a read-only page at {@code path} (exact match, starting with "/").
   *
   * @throws IllegalArgumentException when the path is taken or not absolute
   */
  public void register(String path, Endpoint endpoint) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("an endpoint path starts with '/': " + path);
    }
    if (endpoints.putIfAbsent(path, endpoint) != null) {
      throw new IllegalArgumentException(path + " is already served");
    }
  }

  /** Adds the probes, {@code /metrics} and {@code /status}, and starts serving. */
  public void serve(
      PrometheusRegistry registry, Supplier<Readiness> readiness, Supplier<String> statusJson)
      throws IOException {
    PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);
    register(
        "/metrics",
        get -> {
          ByteArrayOutputStream body = new ByteArrayOutputStream();
          writer.write(body, registry.scrape());
          return new Endpoint.Reply(200, writer.getContentType(), body.toByteArray());
        });
    register("/healthz", get -> Endpoint.Reply.text(200, "ok\n"));
    register(
        "/readyz",
        get -> {
          Readiness r = readiness.get();
          return Endpoint.Reply.text(r.ready() ? 200 : 503, r.state() + "\n");
        });
    register("/status", get -> Endpoint.Reply.json(200, statusJson.get()));
    listener.start(new Pages());
  }

  /** The bound port (useful when bound to port 0). */
  public int port() {
    return listener.port();
  }

  /** The address as configured, for messages. */
  public String listen() {
    return listener.listen();
  }

  /** The registered paths, for the start-up log line. */
  public List<String> paths() {
    List<String> paths = new ArrayList<>(endpoints.keySet());
    paths.sort(null);
    return paths;
  }

  /** Connections closed because their request head did not arrive in time. */
  public long slowHeadsClosed() {
    return listener.slowHeadsClosed();
  }

  @Override
  public void close() {
    listener.close();
  }

  private final class Pages extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String method = request.getMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
        send(response, callback, Endpoint.Reply.text(405, "read-only: GET or HEAD\n"));
        return true;
      }
      String path = Request.getPathInContext(request);
      Endpoint endpoint = endpoints.get(path);
      if (endpoint == null) {
        send(response, callback, Endpoint.Reply.text(404, "not found\n"));
        return true;
      }
      Endpoint.Get get;
      try {
        get = get(request, path);
      } catch (IllegalArgumentException badQuery) {
        // Jetty's answer to a query that does not decode (%zz, bytes that are not UTF-8): the
        // client's mistake, answered as one, and not logged, so anyone cannot fill the log with it
        send(response, callback, Endpoint.Reply.text(400, "bad query string\n"));
        return true;
      }
      Endpoint.Reply reply;
      try {
        reply = endpoint.get(get);
      } catch (Exception | LinkageError e) {
        LOG.warn("GET {} failed: {}", LogSafe.text(path), LogSafe.text(e.toString()));
        reply = Endpoint.Reply.text(500, "internal error\n");
      }
      send(response, callback, reply);
      return true;
    }
  }

  private static Endpoint.Get get(Request request, String path) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    Fields fields = Request.extractQueryParameters(request);
    for (Fields.Field field : fields) {
      query.put(field.getName(), field.getValues());
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (HttpField field : request.getHeaders()) {
      headers.putIfAbsent(field.getLowerCaseName(), field.getValue());
    }
    return new Endpoint.Get(path, query, headers);
  }

  static void send(Response response, Callback callback, Endpoint.Reply reply) {
    response.setStatus(reply.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
    reply.headers().forEach((name, value) -> response.getHeaders().put(name, value));
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.write(true, ByteBuffer.wrap(reply.body()), callback);
  }
}
