package dev.ordinal.install;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ordinal.daemon.DaemonConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ports of manifests/ agree with the config they ship: the Deployment's container ports are the
 * config's two listeners, the probes use the internal one, the Service and the NetworkPolicy let in
 * exactly those two, and Prometheus is told to scrape the internal one.
 */
class ManifestPortsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static int internal;
  private static int webhook;

  @BeforeAll
  static void readTheShippedConfig() throws IOException {
    DaemonConfig config = ShippedConfig.load();
    internal = ShippedConfig.port(config.listenOrDefault());
    webhook = ShippedConfig.port(config.webhook().listenOrDefault());
  }

  private static JsonNode read(String file) throws IOException {
    return YAML.readTree(Path.of("manifests", file).toFile());
  }

  @Test
  void theContainerExposesTheConfigsTwoListenersAndProbesTheInternalOne() throws IOException {
    JsonNode container = read("deployment.yaml").at("/spec/template/spec/containers/0");
    Map<String, Integer> ports = new TreeMap<>();
    container
        .path("ports")
        .forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
    assertEquals(Map.of("http", internal, "webhook", webhook), ports);
    for (String probe : new String[] {"startupProbe", "livenessProbe", "readinessProbe"}) {
      assertEquals("http", container.at("/" + probe + "/httpGet/port").asText(), probe);
    }
  }

  @Test
  void theServiceRoutesEachPortToTheListenerOfItsName() throws IOException {
    JsonNode service = read("service.yaml");
    Map<String, Integer> ports = new TreeMap<>();
    service
        .at("/spec/ports")
        .forEach(
            p -> {
              assertEquals(p.path("name").asText(), p.path("targetPort").asText());
              ports.put(p.path("name").asText(), p.path("port").asInt());
            });
    assertEquals(Map.of("http", internal, "webhook", webhook), ports);
    assertEquals(
        String.valueOf(internal),
        service.at("/metadata/annotations").path("prometheus.io/port").asText());
  }

  @Test
  void theNetworkPolicyLetsInExactlyTheTwoListeners() throws IOException {
    Set<Integer> ports = new TreeSet<>();
    read("networkpolicy.yaml")
        .at("/spec/ingress")
        .forEach(rule -> rule.path("ports").forEach(p -> ports.add(p.path("port").asInt())));
    assertEquals(Set.of(internal, webhook), ports);
  }
}
