package dev.ordinal.testkit;

import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.manifest.AnalysisTrust;
import dev.ordinal.manifest.ManifestLoader;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Manifest loaders for tests, wired as the daemon and the CLI wire them. */
public final class Loaders {
  /** The Prometheus servers the test fixtures name, as an operator's config would list them. */
  public static final Map<String, URI> FIXTURE_SERVERS =
      Map.of(
          "default", URI.create("http://prometheus:9090"),
          "monitoring", URI.create("http://prometheus.monitoring:9090"),
          "p", URI.create("http://p:9090"),
          "example", URI.create("https://prometheus.example.com"),
          "example-plain", URI.create("http://prometheus.example:9090"),
          "unreachable", URI.create("http://prometheus.invalid:9090"));

  /** Secrets the fixtures' templates name. */
  public static final Set<String> FIXTURE_SECRETS = Set.of("prom", "ordinal-prometheus-token");

  private Loaders() {}

  /** Plain {@code ordinal validate}: no config, so templates may name no address and no Secret. */
  public static ManifestLoader unconfigured() {
    return new ManifestLoader(ConditionGrammar.INSTANCE);
  }

  /** A daemon whose config lists the servers and Secrets the fixtures use. */
  public static ManifestLoader forFixtures() {
    return new ManifestLoader(
        ConditionGrammar.INSTANCE, new AnalysisTrust(FIXTURE_SERVERS, FIXTURE_SECRETS, true));
  }

  /** A daemon whose config lists these servers (a test's own Prometheus on a free port). */
  public static ManifestLoader trusting(Map<String, URI> servers) {
    Map<String, URI> all = new LinkedHashMap<>(FIXTURE_SERVERS);
    all.putAll(servers);
    return new ManifestLoader(
        ConditionGrammar.INSTANCE, new AnalysisTrust(all, FIXTURE_SECRETS, true));
  }
}
