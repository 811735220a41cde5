package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that are not a config at all: each gets a message that says what a config is and what to
 * do, in Ordinal's words rather than Jackson's (no Java class names, no empty field).
 */
class DaemonConfigShapeTest {
  @TempDir Path tmp;

  private String problem(String content) throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.writeString(file, content);
    String message =
        assertThrows(DaemonConfig.ConfigException.class, () -> DaemonConfig.load(file))
            .getMessage();
    assertTrue(message.startsWith(file + ":1: "), message);
    assertTrue(!message.contains("dev.ordinal") && !message.contains(": : "), message);
    return message.substring((file + ":1: ").length());
  }

  @Test
  void anEmptyFileOrOneOfOnlyCommentsNeedsApps() throws Exception {
    assertEquals("the file is empty; it needs at least 'apps:'", problem(""));
    assertEquals("the file is empty; it needs at least 'apps:'", problem("# nothing yet\n"));
  }

  @Test
  void aListOrAScalarIsNotAMapping() throws Exception {
    assertEquals(
        "a config is a YAML mapping with at least 'apps:', not a list; see README.md,"
            + " \"Configuration reference\"",
        problem("- apps\n"));
    assertEquals(
        "a config is a YAML mapping with at least 'apps:', not a single value; see README.md,"
            + " \"Configuration reference\"",
        problem("# Examples\nThese are config repos a user can copy.\n"));
  }

  @Test
  void theShippedConfigMapIsRecognisedAndTheWayOutOfItGiven() throws Exception {
    String configMap = Files.readString(Path.of("manifests/configmap.yaml"));
    assertEquals(
        "this is a ConfigMap; the config is the value of its data key config.yaml. Take it out"
            + " first: kubectl create -f FILE --dry-run=client -o"
            + " jsonpath='{.data.config\\.yaml}' > config.yaml",
        problem(configMap));
  }
}
