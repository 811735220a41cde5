package dev.ordinal.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.git.WebhookHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two listeners under abuse: stalled clients on both ports while probes keep answering, bodies
 * far over the limit, a path and methods that are not served, a page added through the seam.
 */
class HttpListenersTest {
  private static final String SECRET = "listener-test-secret";
  private static final long LIMIT = 1024 * 1024;

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicInteger triggered = new AtomicInteger();
  private final List<Socket> stalled = new ArrayList<>();
  private HttpEndpoints internal;
  private WebhookEndpoint webhook;

  @BeforeEach
  void start() throws Exception {
    internal = HttpEndpoints.bind(new InetSocketAddress("127.0.0.1", 0));
    webhook =
        WebhookEndpoint.bind(
            new InetSocketAddress("127.0.0.1", 0), "/webhook", Limits.webhook(LIMIT));
    internal.serve(
        new PrometheusRegistry(),
        () -> new HttpEndpoints.Readiness(true, "leader"),
        () -> "{\"role\":\"leader\",\"apps\":[]}");
    webhook.serve(WebhookHandler.withSecret(SECRET, url -> triggered.incrementAndGet()));
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : stalled) {
      s.close();
    }
    internal.close();
    webhook.close();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(2))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Opens a socket and sends half a request line, then nothing. */
  private void stall(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    stalled.add(socket);
  }

  /**
   * 20 sockets that send half a request line to the probe port and 20 to the webhook port: every
   * /healthz still answers. Each request must complete within the client's 2 s timeout; the
   * latencies are printed, not asserted, as a loaded CI machine may be slow without anything being
   * blocked. The JDK server this replaced froze at 4 such sockets.
   */
  @Test
  void twentyStalledSocketsOnEachPortDoNotDelayProbes() throws Exception {
    for (int i = 0; i < 5; i++) {
      // warm up the client and the server, so the figures below are about the sockets
      assertEquals(200, get(internal.port(), "/healthz").statusCode());
    }
    for (int i = 0; i < 20; i++) {
      stall(internal.port());
      stall(webhook.port());
    }
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> health = get(internal.port(), "/healthz");
      micros.add((System.nanoTime() - t0) / 1_000);
      assertEquals(200, health.statusCode());
      assertEquals("ok\n", health.body());
    }
    assertEquals(200, get(internal.port(), "/readyz").statusCode());
    List<Long> sorted = micros.stream().sorted().toList();
    System.out.printf(
        "/healthz with 20 stalled sockets on each port: 50 requests, latency min %.2f ms,"
            + " median %.2f ms, p90 %.2f ms, max %.2f ms%n",
        sorted.get(0) / 1000.0,
        sorted.get(25) / 1000.0,
        sorted.get(45) / 1000.0,
        sorted.get(49) / 1000.0);
  }

  /** A stalled client is cut off once the head deadline passes, on either listener. */
  @Test
  void aStalledClientIsClosedAfterTheHeadDeadline() throws Exception {
    try (HttpEndpoints quick =
        HttpEndpoints.bind(
            new InetSocketAddress("127.0.0.1", 0),
            Limits.internal().withHeaderTimeout(Duration.ofMillis(500)))) {
      quick.serve(
          new PrometheusRegistry(), () -> new HttpEndpoints.Readiness(true, "x"), () -> "{}");
      try (Socket socket = new Socket("127.0.0.1", quick.port())) {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        long t0 = System.nanoTime();
        // A byte every 100 ms: never idle, never a whole request line.
        InputStream in = socket.getInputStream();
        int read = -2;
        for (int i = 0; i < 100 && read == -2; i++) {
          try {
            out.write('G');
            out.flush();
            Thread.sleep(100);
            if (in.available() > 0) {
              read = in.read();
            }
          } catch (IOException closed) {
            read = -1;
          }
        }
        if (read == -2) {
          read = in.read();
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(-1, read, "the server closed the connection");
        assertTrue(millis < 9_000, "closed after " + millis + " ms");
        assertEquals(1, quick.slowHeadsClosed());
        System.out.printf("a client trickling its request line was closed after %d ms%n", millis);
      }
    }
  }

  /**
   * 10 MB bodies, four at once as in the report that killed the daemon: unsigned ones are answered
   * 401 before a byte of body is read, signed-looking ones 413, whether the length is declared or
   * the body is chunked; the server holds at most the limit of any one body.
   */
  @Test
  void tenMegabyteBodiesAreRefusedWithoutBeingRead() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long before = memory.getHeapMemoryUsage().getUsed();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    ExecutorService senders = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        statuses.add(senders.submit(() -> post(10_000_000, false, false)));
        statuses.add(senders.submit(() -> post(10_000_000, true, false)));
        statuses.add(senders.submit(() -> post(10_000_000, true, true)));
      }
      for (int i = 0; i < statuses.size(); i++) {
        int status = statuses.get(i).get();
        int expected = i % 3 == 0 ? 401 : 413;
        assertEquals(expected, status, "request " + i);
      }
    } finally {
      senders.shutdownNow();
    }
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.gc();
    long after = memory.getHeapMemoryUsage().getUsed();
    System.out.printf(
        "12 x 10 MB bodies (4 unsigned, 4 declared, 4 chunked): heap used before %d MiB, after"
            + " %d MiB, peak (sum of pools, test included) %d MiB; largest body held %d bytes"
            + " (limit %d)%n",
        before >> 20, after >> 20, peak >> 20, webhook.largestBodyHeld(), LIMIT);
    assertTrue(
        webhook.largestBodyHeld() <= LIMIT,
        "held " + webhook.largestBodyHeld() + " bytes of one body");
    assertEquals(0, triggered.get());
  }

  /**
   * Sends a POST with a body of {@code size} bytes (declared, or chunked) and returns the status;
   * the server may close while the body is still being written.
   */
  private int post(int size, boolean signed, boolean chunked) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", webhook.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder head =
          new StringBuilder("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n")
              .append("X-GitHub-Event: push\r\nContent-Type: application/json\r\n");
      if (signed) {
        head.append("X-Hub-Signature-256: sha256=").append("0".repeat(64)).append("\r\n");
      }
      head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + size + "\r\n");
      head.append("\r\n");
      Thread writer =
          new Thread(
              () -> {
                try {
                  out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
                  byte[] block = new byte[64 * 1024];
                  Arrays.fill(block, (byte) 'x');
                  for (int sent = 0; sent < size; sent += block.length) {
                    if (chunked) {
                      out.write(
                          (Integer.toHexString(block.length) + "\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
                      out.write(block);
                      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else {
                      out.write(block, 0, Math.min(block.length, size - sent));
                    }
                  }
                  if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  }
                  out.flush();
                } catch (IOException expected) {
                  // the server answered and closed before the body was sent
                }
              });
      writer.start();
      String statusLine = readLine(socket.getInputStream());
      writer.join(10_000);
      return Integer.parseInt(statusLine.split(" ")[1]);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    return line.toString().strip();
  }

  @Test
  void theInternalListenerIsReadOnlyAndServesNoWebhook() throws Exception {
    HttpResponse<String> post =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + internal.port() + "/status"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
    assertEquals(404, get(internal.port(), "/webhook").statusCode());
    assertEquals(404, get(webhook.port(), "/status").statusCode());
    assertEquals(405, get(webhook.port(), "/webhook").statusCode());
    HttpResponse<String> status = get(internal.port(), "/status");
    assertEquals(200, status.statusCode());
    assertEquals("application/json", status.headers().firstValue("Content-Type").orElse(""));
  }

  /** The seam for other pages: a registered endpoint is served, failures show no detail. */
  @Test
  void registeredPagesAreServedAndTheirFailuresShowNothing() throws Exception {
    internal.register("/ui", get -> Endpoint.Reply.html("<p>" + get.parameter("app") + "</p>"));
    internal.register(
        "/broken",
        get -> {
          throw new IllegalStateException("secret detail at line 42");
        });
    HttpResponse<String> ui = get(internal.port(), "/ui?app=orders");
    assertEquals(200, ui.statusCode());
    assertEquals("<p>orders</p>", ui.body());
    HttpResponse<String> broken = get(internal.port(), "/broken");
    assertEquals(500, broken.statusCode());
    assertFalse(broken.body().contains("secret detail"), broken.body());
    assertFalse(broken.body().contains("at dev.ordinal"), broken.body());
    assertThrows(
        IllegalArgumentException.class,
        () -> internal.register("/healthz", get -> Endpoint.Reply.text(200, "")));
  }

  /**
   * A body that stops arriving is answered 408 at its deadline, even where the idle timeout is the
   * shorter of the two (the webhook's defaults are 10 s idle, 20 s body): it once fired first and
   * ended the request with a 400 at half the promised wait.
   */
  @Test
  void aStalledBodyIsAnswered408AtItsDeadlineNot400AtTheIdleTimeout() throws Exception {
    Limits idleShorter =
        new Limits(
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            64,
            8,
            16384,
            LIMIT,
            8);
    try (WebhookEndpoint slow =
        WebhookEndpoint.bind(new InetSocketAddress("127.0.0.1", 0), "/webhook", idleShorter)) {
      slow.serve(WebhookHandler.withSecret(SECRET, url -> triggered.incrementAndGet()));
      try (Socket socket = new Socket("127.0.0.1", slow.port())) {
        socket.setSoTimeout(15_000);
        long t0 = System.nanoTime();
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-GitHub-Event: push\r\n"
                    + "X-Hub-Signature-256: sha256="
                    + "0".repeat(64)
                    + "\r\nContent-Length: 50\r\n\r\n{\"re")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = readLine(socket.getInputStream());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(status.startsWith("HTTP/1.1 408 "), status + " after " + millis + " ms");
        assertTrue(millis >= 1_900, "answered after " + millis + " ms");
      }
    }
    assertEquals(0, triggered.get());
  }

  /** A query that does not decode is the client's mistake: 400, and the page is not asked. */
  @Test
  void aQueryThatDoesNotDecodeIsA400() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    internal.register(
        "/q",
        get -> {
          asked.incrementAndGet();
          return Endpoint.Reply.text(200, "ok\n");
        });
    for (String query : List.of("%zz", "a=%ff%fe")) {
      try (Socket socket = new Socket("127.0.0.1", internal.port())) {
        socket.setSoTimeout(10_000);
        socket
            .getOutputStream()
            .write(
                ("GET /q?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        String status = readLine(socket.getInputStream());
        assertTrue(status.startsWith("HTTP/1.1 400 "), query + ": " + status);
      }
    }
    assertEquals(200, get(internal.port(), "/q?a=b").statusCode());
    assertEquals(1, asked.get());
  }

  /**
   * What escapes a page (an Error, which pages do not catch) gets Jetty's error page: it says the
   * status alone, not the message nor the URI, in whatever type the client asks for.
   */
  @Test
  void anErrorEscapingAPageShowsTheStatusAlone() throws Exception {
    internal.register(
        "/worse",
        get -> {
          throw new AssertionError("secret detail at line 42");
        });
    for (String accept : List.of("text/html", "application/json", "*/*")) {
      HttpResponse<String> worse =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + internal.port() + "/worse"))
                  .header("Accept", accept)
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(500, worse.statusCode());
      assertEquals("500 Server Error\n", worse.body(), accept);
    }
  }

  /**
   * A listener someone forgot to close does not keep the JVM alive: all its threads are daemons.
   */
  @Test
  void everyThreadOfAListenerIsADaemon() throws Exception {
    assertEquals(200, get(internal.port(), "/healthz").statusCode());
    List<Thread> threads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("ordinal-http-"))
            .toList();
    assertTrue(
        threads.stream().anyMatch(t -> t.getName().contains("scheduler")), threads.toString());
    assertTrue(threads.stream().allMatch(Thread::isDaemon), threads.toString());
  }

  @Test
  void aBusyPortIsAnErrorNamingItForEitherListener() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      InetSocketAddress taken = new InetSocketAddress("127.0.0.1", busy.getLocalPort());
      IOException probes = assertThrows(IOException.class, () -> HttpEndpoints.bind(taken));
      assertTrue(
          probes.getMessage().startsWith("cannot listen on 127.0.0.1:" + busy.getLocalPort()),
          probes.getMessage());
      IOException hooks =
          assertThrows(
              IOException.class,
              () -> WebhookEndpoint.bind(taken, "/webhook", Limits.webhook(LIMIT)));
      assertTrue(hooks.getMessage().contains("for webhook"), hooks.getMessage());
      assertEquals(1, hooks.getMessage().lines().count(), hooks.getMessage());
      assertTrue(
          probes.getMessage().endsWith("(is another Ordinal running?)"), probes.getMessage());
    }
  }

  /** 192.0.2.1 (TEST-NET-1) is no interface's address here: nothing else runs there. */
  @Test
  void anAddressOfNoInterfaceSaysSoNotThatAnotherOrdinalRuns() {
    IOException error =
        assertThrows(
            IOException.class, () -> HttpEndpoints.bind(new InetSocketAddress("192.0.2.1", 18080)));
    assertTrue(
        error
            .getMessage()
            .endsWith(
                "(no network interface of this host has that address; listen on"
                    + " 127.0.0.1, 0.0.0.0 or one of its own)"),
        error.getMessage());
  }
}
