package dev.ordinal.analysis;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.testkit.ServerProcesses;
import dev.ordinal.testkit.StatefulSets;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's {@code /usr/bin/prometheus}) for integration tests: its own port,
 * TSDB directory and config scraping one test target every second. Debian's package may also have
 * started a system Prometheus on :9090; this one never shares a port or a data directory with it.
 */
public final class PrometheusServer implements AutoCloseable {
  public static final Path BINARY =
      Path.of(System.getProperty("ordinal.prometheus.binary", "/usr/bin/prometheus"));
  public static final Path PROMTOOL =
      Path.of(System.getProperty("ordinal.promtool.binary", "/usr/bin/promtool"));

  private final Path home;
  private final Path data;
  private final int port;
  private Process process;

  private PrometheusServer(Path home, Path data, int port) {
    this.home = home;
    this.data = data;
    this.port = port;
  }

  /** Fails with the install command when the binaries are missing. */
  public static void requireBinaries() {
    for (Path binary : List.of(BINARY, PROMTOOL)) {
      if (!Files.isExecutable(binary)) {
        throw new IllegalStateException(
            binary
                + " is missing: the analysis integration tests need a real Prometheus."
                + " Install it with: apt-get update && apt-get install -y prometheus");
      }
    }
  }

  /**
   * Starts Prometheus scraping {@code 127.0.0.1:targetPort} (0: no target) with {@code data} as its
   * TSDB directory, which may already hold backfilled blocks.
   */
  static PrometheusServer start(Path home, Path data, int targetPort)
      throws IOException, InterruptedException {
    requireBinaries();
    PrometheusServer server = new PrometheusServer(home, data, ServerProcesses.freePort());
    server.launch(targetPort);
    return server;
  }

  /**
   * Starts Prometheus scraping the loopback {@code targets} as job {@code job}, evaluating the rule
   * file {@code rules} when given (Ordinal's own /metrics in the monitoring tests).
   */
  public static PrometheusServer start(
      Path home, Path data, String job, List<Integer> targets, Path rules)
      throws IOException, InterruptedException {
    requireBinaries();
    PrometheusServer server = new PrometheusServer(home, data, ServerProcesses.freePort());
    server.launch(job, targets, rules);
    return server;
  }

  private void launch(int targetPort) throws IOException, InterruptedException {
    launch("app", targetPort > 0 ? List.of(targetPort) : List.of(), null);
  }

  private void launch(String job, List<Integer> targets, Path rules)
      throws IOException, InterruptedException {
    Files.createDirectories(data);
    Path config = home.resolve("prometheus.yml");
    StringBuilder yaml =
        new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n");
    if (rules != null) {
      yaml.append("rule_files: ['").append(rules).append("']\n");
    }
    yaml.append("scrape_configs:\n");
    if (!targets.isEmpty()) {
      yaml.append("  - job_name: ").append(job).append("\n    static_configs:\n      - targets: [");
      for (int i = 0; i < targets.size(); i++) {
        yaml.append(i == 0 ? "" : ", ").append("'127.0.0.1:").append(targets.get(i)).append("'");
      }
      yaml.append("]\n");
    }
    Files.writeString(config, yaml.toString());
    List<String> command =
        new ArrayList<>(
            List.of(
                BINARY.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + data,
                "--storage.tsdb.retention.time=30d",
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-lifecycle"));
    Path log = home.resolve("prometheus-" + port + ".log");
    process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      ServerProcesses.awaitReady("prometheus", process, log, Duration.ofSeconds(30), this::ready);
    } catch (IllegalStateException e) {
      close();
      throw e;
    }
  }

  private boolean ready() {
    try {
      HttpURLConnection connection =
          (HttpURLConnection) address().resolve("/-/ready").toURL().openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(500);
      return connection.getResponseCode() == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  public URI address() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The result of an instant query; fails at once on a parse error. */
  public JsonNode query(String expr) {
    URI uri = address().resolve("/api/v1/query?query=" + URLEncoder.encode(expr, UTF_8));
    try {
      JsonNode answer =
          new ObjectMapper()
              .readTree(
                  HttpClient.newHttpClient()
                      .send(
                          HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                      .body());
      if (!"success".equals(answer.path("status").asText())) {
        throw new AssertionError(expr + ": " + answer);
      }
      return answer.path("data").path("result");
    } catch (IOException e) {
      throw new AssertionError(expr + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits until the first sample of {@code expr} is {@code value}, as Prometheus answers it. */
  public void awaitValue(String expr, String value, Duration timeout) {
    StatefulSets.await(
        "Prometheus to answer " + value + " for " + expr,
        timeout,
        () -> value.equals(query(expr).path(0).path("value").path(1).asText()),
        () -> query(expr));
  }

  /** Stops the process, as a crash or a network partition would look to a client. */
  @Override
  public void close() {
    ServerProcesses.stop(process, Duration.ofSeconds(10));
  }

  /** Writes OpenMetrics text into TSDB blocks under {@code data} with promtool, before a start. */
  static void backfill(Path home, Path data, String openMetrics)
      throws IOException, InterruptedException {
    requireBinaries();
    Path input = home.resolve("backfill.om");
    Files.writeString(input, openMetrics);
    Files.createDirectories(data);
    Path log = home.resolve("promtool.log");
    Process promtool =
        new ProcessBuilder(
                PROMTOOL.toString(),
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                input.toString(),
                data.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!promtool.waitFor(60, TimeUnit.SECONDS) || promtool.exitValue() != 0) {
      promtool.destroyForcibly();
      throw new IllegalStateException(
          "promtool create-blocks-from failed:\n" + ServerProcesses.tail(log));
    }
  }
}
