package dev.ordinal.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ordinal.daemon.DaemonConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The daemon's config as manifests/configmap.yaml ships it, loaded as {@code ordinal run} does. */
final class ShippedConfig {
  private ShippedConfig() {}

  /** The port of a listener such as {@code listen: 0.0.0.0:8080}. */
  static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  static DaemonConfig load() throws IOException {
    JsonNode configMap =
        new ObjectMapper(new YAMLFactory()).readTree(Path.of("manifests/configmap.yaml").toFile());
    Path file = Files.createTempFile("ordinal-config", ".yaml");
    try {
      Files.writeString(file, configMap.at("/data/config.yaml").asText());
      return DaemonConfig.load(file);
    } catch (DaemonConfig.ConfigException e) {
      throw new AssertionError("manifests/configmap.yaml: " + e.getMessage(), e);
    } finally {
      Files.delete(file);
    }
  }
}
