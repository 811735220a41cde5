package dev.ordinal.analysis.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ordinal.manifest.AnalysisTemplate.Header;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import dev.ordinal.manifest.AnalysisTemplate.SecretKeyRef;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a local HTTP server that answers what each test needs. */
class PrometheusClientTest {
  private HttpServer server;
  private final AtomicReference<Integer> status = new AtomicReference<>(200);
  private final AtomicReference<String> body = new AtomicReference<>("");
  private final AtomicReference<Long> delayMillis = new AtomicReference<>(0L);
  private final AtomicReference<com.sun.net.httpserver.Headers> seenHeaders =
      new AtomicReference<>();
  private final AtomicReference<URI> seenUri = new AtomicReference<>();

  private URI start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/",
        exchange -> {
          seenHeaders.set(exchange.getRequestHeaders());
          seenUri.set(exchange.getRequestURI());
          try {
            Thread.sleep(delayMillis.get());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
          try {
            exchange.sendResponseHeaders(status.get(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(bytes);
            }
          } catch (IOException clientGone) {
            // the client timed out
          }
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private PrometheusClient client(URI address, Duration timeout) {
    return new PrometheusClient(address, timeout, Map.of(), Optional::empty);
  }

  @Test
  void parsesVectorWithSpecialValues() throws Exception {
    body.set(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{\"pod\":\"db-0\"},\"value\":[1700000000.5,\"0.25\"]},"
            + "{\"metric\":{\"pod\":\"db-1\"},\"value\":[1700000000.5,\"NaN\"]},"
            + "{\"metric\":{},\"value\":[1700000000.5,\"+Inf\"]},"
            + "{\"metric\":{},\"value\":[1700000000.5,\"-Inf\"]}]}}");
    QueryResult result = client(start(), Duration.ofSeconds(5)).query("rate(x[1m])");
    QueryResult.Vector vector = assertInstanceOf(QueryResult.Vector.class, result);
    assertEquals(Map.of("pod", "db-0"), vector.samples().get(0).labels());
    List<Double> values = vector.toMetricResult().values();
    assertEquals(0.25, values.get(0));
    assertTrue(Double.isNaN(values.get(1)));
    assertEquals(Double.POSITIVE_INFINITY, values.get(2));
    assertEquals(Double.NEGATIVE_INFINITY, values.get(3));
    assertEquals("/api/v1/query", seenUri.get().getPath());
    assertEquals("query=rate(x[1m])", seenUri.get().getQuery());
  }

  @Test
  void parsesScalarAndMatrix() throws Exception {
    URI address = start();
    body.set(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"3\"]}}");
    QueryResult.Scalar scalar =
        assertInstanceOf(
            QueryResult.Scalar.class, client(address, Duration.ofSeconds(5)).query("3"));
    assertEquals(3.0, scalar.value());
    assertEquals(Instant.ofEpochSecond(1700000000), scalar.time());

    body.set(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{\"a\":\"b\"},\"values\":[[1700000000,\"1\"],[1700000060,\"NaN\"]]}]}}");
    QueryResult.Matrix matrix =
        client(address, Duration.ofSeconds(5))
            .queryRange(
                "x",
                Instant.ofEpochSecond(1700000000),
                Instant.ofEpochSecond(1700000060),
                Duration.ofMinutes(1));
    assertEquals(2, matrix.series().get(0).points().size());
    assertEquals(Instant.ofEpochSecond(1700000060), matrix.series().get(0).points().get(1).time());
    assertEquals("/api/v1/query_range", seenUri.get().getPath());
    assertEquals("query=x&start=1.7E9&end=1.70000006E9&step=60.0", seenUri.get().getQuery());
  }

  @Test
  void statusErrorNamesAddressQueryAndPrometheusMessage() throws Exception {
    URI address = start();
    status.set(400);
    body.set(
        "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"1:5: parse error: unexpected <EOF>\"}");
    PrometheusException error =
        assertThrows(
            PrometheusException.class, () -> client(address, Duration.ofSeconds(5)).query("sum("));
    assertEquals(
        "Prometheus "
            + address
            + ", query 'sum(': HTTP 400, bad_data: 1:5: parse error: unexpected <EOF>",
        error.getMessage());
  }

  @Test
  void serverErrorAndNonJsonBody() throws Exception {
    URI address = start();
    status.set(503);
    body.set("<html>upstream unavailable</html>");
    assertEquals(
        "Prometheus "
            + address
            + ", query 'up': HTTP 503 with a body that is not JSON: <html>upstream unavailable</html>",
        failure(address, "up"));
    status.set(200);
    body.set(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{}}]}}");
    assertTrue(
        assertThrows(
                PrometheusException.class, () -> client(address, Duration.ofSeconds(5)).query("up"))
            .getMessage()
            .contains("malformed vector"));
    body.set("{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"a\"]}}");
    assertTrue(
        assertThrows(
                PrometheusException.class,
                () -> client(address, Duration.ofSeconds(5)).query("\"a\""))
            .getMessage()
            .contains("result type 'string' is not supported"));
  }

  /** What the server answers and the query from Git reach logs and terminals: escaped. */
  @Test
  void controlCharactersFromTheAnswerAndTheQueryAreWrittenOut() throws Exception {
    URI address = start();
    status.set(500);
    body.set("<html>\u001b[31mOops</html>");
    assertEquals(
        "Prometheus "
            + address
            + ", query 'up\\x07': HTTP 500 with a body that is not JSON: <html>\\x1b[31mOops</html>",
        failure(address, "up\u0007"));
  }

  private String failure(URI address, String query) {
    return assertThrows(
            PrometheusException.class, () -> client(address, Duration.ofSeconds(5)).query(query))
        .getMessage();
  }

  @Test
  void anAddressIsNamedWithoutItsUserOrPassword() {
    assertEquals(
        "http://prom:9090/api",
        PrometheusClient.shown(URI.create("http://ops:s3cret@prom:9090/api")));
    assertEquals("https://prom", PrometheusClient.shown(URI.create("https://prom")));
  }

  @Test
  void timeoutIsAnErrorNamingTheTimeout() throws Exception {
    URI address = start();
    delayMillis.set(2_000L);
    long started = System.nanoTime();
    PrometheusException error =
        assertThrows(
            PrometheusException.class, () -> client(address, Duration.ofMillis(200)).query("up"));
    assertEquals(
        "Prometheus " + address + ", query 'up': no answer within the timeout of 200 ms",
        error.getMessage());
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 1_500);
  }

  @Test
  void connectionRefusedIsAnError() throws Exception {
    URI address = start();
    server.stop(0);
    server = null;
    PrometheusException error =
        assertThrows(
            PrometheusException.class, () -> client(address, Duration.ofSeconds(2)).query("up"));
    assertTrue(
        error.getMessage().startsWith("Prometheus " + address + ", query 'up': "),
        error.getMessage());
  }

  @Test
  void sendsHeadersAndTheServersBearerTokenButNeverShowsTheToken() throws Exception {
    URI address = start();
    PrometheusServers servers =
        PrometheusServers.configured(
            Map.of(
                "default",
                new PrometheusServers.Server(
                    "default",
                    address,
                    Optional.of(new SecretKeyRef("prometheus-token", "token")),
                    Optional.empty())));
    Prometheus provider =
        new Prometheus(
            null,
            "up",
            Optional.of(Duration.ofSeconds(5)),
            List.of(new Header("X-Scope-OrgID", "team-a")),
            Optional.empty(),
            Optional.empty());
    status.set(500);
    body.set("{\"status\":\"error\",\"errorType\":\"internal\",\"error\":\"boom\"}");
    HttpPrometheusApi api =
        new HttpPrometheusApi(
            Optional.empty(),
            ref ->
                ref.name().equals("prometheus-token")
                    ? Optional.of("s3cr3t-token")
                    : Optional.empty(),
            servers);
    PrometheusException error =
        assertThrows(PrometheusException.class, () -> api.query(provider, "up"));
    assertEquals("Bearer s3cr3t-token", seenHeaders.get().getFirst("Authorization"));
    assertEquals("team-a", seenHeaders.get().getFirst("X-Scope-OrgID"));
    assertFalse(error.getMessage().contains("s3cr3t"), error.getMessage());

    HttpPrometheusApi noSecret =
        new HttpPrometheusApi(Optional.empty(), ref -> Optional.empty(), servers);
    PrometheusException missing =
        assertThrows(PrometheusException.class, () -> noSecret.query(provider, "up"));
    assertTrue(
        missing.getMessage().contains("prometheus-token/token is not available"),
        missing.getMessage());
  }

  @Test
  void aTemplateReachesOnlyTheConfiguredServersAtRunTime() throws Exception {
    URI address = start();
    PrometheusServers servers =
        PrometheusServers.configured(
            Map.of(
                "default",
                new PrometheusServers.Server(
                    "default",
                    URI.create("http://prometheus.invalid:9090"),
                    Optional.empty(),
                    Optional.empty())));
    Prometheus elsewhere =
        new Prometheus(
            address, "up", Optional.empty(), List.of(), Optional.empty(), Optional.empty());
    PrometheusException refused =
        assertThrows(
            PrometheusException.class,
            () ->
                new HttpPrometheusApi(Optional.empty(), ref -> Optional.empty(), servers)
                    .query(elsewhere, "up"));
    assertTrue(refused.getMessage().startsWith("refused: " + address), refused.getMessage());
    assertEquals(null, seenHeaders.get(), "the unlisted server received nothing");
  }

  @Test
  void addressOverrideReplacesTheTemplateAddress() throws Exception {
    URI address = start();
    body.set("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    Prometheus provider =
        new Prometheus(
            URI.create("http://prometheus.invalid:9090"),
            "up",
            Optional.empty(),
            List.of(),
            Optional.empty(),
            Optional.empty());
    QueryResult result =
        new HttpPrometheusApi(Optional.of(address), ref -> Optional.empty()).query(provider, "up");
    assertTrue(result.toMetricResult().isEmpty());
  }

  @Test
  void anAnswerLargerThanTheLimitIsAnErrorNotAMemoryHog() throws Exception {
    URI address = start();
    String sample = "{\"metric\":{\"pod\":\"db-0\"},\"value\":[1700000000,\"1\"]}";
    StringBuilder huge =
        new StringBuilder(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
    while (huge.length() < 300_000) {
      huge.append(sample).append(',');
    }
    huge.append(sample).append("]}}");
    body.set(huge.toString());
    PrometheusClient bounded =
        new PrometheusClient(address, Duration.ofSeconds(5), Map.of(), Optional::empty, 100_000);

    PrometheusException error = assertThrows(PrometheusException.class, () -> bounded.query("up"));
    assertEquals(
        "Prometheus "
            + address
            + ", query 'up': the answer is larger than 100000 bytes; aggregate the query (e.g. sum"
            + " by (pod) (...)) or shorten its range",
        error.getMessage());
    PrometheusClient roomy =
        new PrometheusClient(address, Duration.ofSeconds(5), Map.of(), Optional::empty, 400_000);
    assertTrue(roomy.query("up").toMetricResult().values().size() > 1000);
  }
}
