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

  /** The refusal of a config that fails on its first line, without the file and line. */
  private String problem(String content) throws Exception {
    String message = loadError(content);
    assertTrue(message.startsWith("1: "), message);
    assertTrue(!message.contains("dev.ordinal") && !message.contains(": : "), message);
    return message.substring("1: ".length());
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

  private static final String APP =
      "apps: [{name: shop, repo: \"https://git.example.com/c.git\", namespace: shop%s}]\n";

  @Test
  void aValueOfTheWrongShapeSaysWhatWasExpectedAndWhatWasFound() throws Exception {
    assertEquals(
        "pollInterval: expected a single value (text), got a list",
        problem("pollInterval: [1]\n" + APP.formatted("")));
    assertEquals("apps: expected a list (- item, or [a, b]), got a mapping", problem("apps: {}\n"));
    assertEquals(
        "apps[0].prune: expected true or false, got 'yes-please'",
        problem(APP.formatted(", prune: yes-please")));
    assertEquals(
        "sync.applyConcurrency: expected a whole number, got 'many'",
        problem("sync: {applyConcurrency: many}\n" + APP.formatted("")));
    assertEquals(
        "apps[0].boundary.namespaces: expected a list (- item, or [a, b]), got 'orders-jobs'",
        problem(APP.formatted(", boundary: {namespaces: orders-jobs}")));
  }

  @Test
  void emptyEntriesDuplicateKeysAndBadDurationsAreNamed() throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.writeString(file, "apps:\n  -\n");
    assertEquals(
        file
            + ": apps[0]: an empty entry; an app needs at least name, repo and namespace, or"
            + " remove the '-'",
        assertThrows(DaemonConfig.ConfigException.class, () -> DaemonConfig.load(file))
            .getMessage());
    Files.writeString(file, "pollInterval: 60s\npollInterval: 30s\n" + APP.formatted(""));
    assertEquals(
        file + ":2: field 'pollInterval' is given twice in one mapping; keep one",
        assertThrows(DaemonConfig.ConfigException.class, () -> DaemonConfig.load(file))
            .getMessage());
    Files.writeString(file, "pollInterval: 5 minutes\n" + APP.formatted(""));
    assertEquals(
        file + ": pollInterval: not a duration such as 60s or 5m: '5 minutes'",
        assertThrows(DaemonConfig.ConfigException.class, () -> DaemonConfig.load(file))
            .getMessage());
  }

  @Test
  void notUtf8IsSaidAsSuchAndEchoedControlCharactersAreWrittenOut() throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 'a', ':', ' ', '1'});
    assertEquals(
        file + ": not UTF-8 text (byte offset 0); save the file as UTF-8",
        assertThrows(DaemonConfig.ConfigException.class, () -> DaemonConfig.load(file))
            .getMessage());
    Files.writeString(
        file,
        "apps: [{name: \"orders\\e[31mRED\\adb\", repo: \"https://git.example.com/c.git\","
            + " namespace: shop}]\n");
    String message =
        assertThrows(DaemonConfig.ConfigException.class, () -> DaemonConfig.load(file))
            .getMessage();
    assertTrue(message.contains("orders\\x1b[31mRED\\x07db"), message);
    assertTrue(message.chars().noneMatch(c -> c == 0x1b || c == 0x07), message);
  }

  /** The refusal of a config, without the file's path before it. */
  private String loadError(String content) throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.writeString(file, content);
    String message =
        assertThrows(DaemonConfig.ConfigException.class, () -> DaemonConfig.load(file))
            .getMessage();
    assertTrue(message.startsWith(file + ":"), message);
    return message.substring((file + ":").length());
  }

  /**
   * Jackson reads an alias as the string of its name: {@code repo: *shared} would have read as the
   * repository "shared", and an undefined alias as well.
   */
  @Test
  void aliasesAreRefusedWhereTheyStandInsteadOfReadAsTheirName() throws Exception {
    String refusal = "YAML aliases (*name) are not supported; write the value out";
    assertEquals(
        "6: " + refusal,
        loadError(
            "apps:\n  - name: a\n    repo: &shared https://git.example.com/c.git\n"
                + "    namespace: a\n  - name: b\n    repo: *shared\n    namespace: b\n"));
    assertEquals(
        "3: " + refusal, loadError("apps:\n  - name: a\n    namespace: *nowhere\n    repo: r\n"));
    assertEquals(
        "2: " + refusal,
        loadError("defaults: &d {prune: true}\nsync: {<<: *d}\n" + APP.formatted("")));
  }

  /** SnakeYAML's message spans five lines with a caret; the manifest loader's words are used. */
  @Test
  void syntaxErrorsSayWhatIsWrongOnOneLineInTheLoadersWords() throws Exception {
    assertEquals(
        "3: YAML syntax error: the quoted string that starts at column 11 is never closed: add"
            + " the closing quote",
        loadError("apps:\n  - name: a\n    repo: \"https://git.example.com/c.git\n"));
    assertEquals(
        "3: YAML syntax error: a tab at column 1: YAML indentation must use spaces, not tabs",
        loadError("apps:\n  - name: a\n\trepo: r\n"));
    assertEquals(
        "2: YAML syntax error: the '[' at column 11 is not closed before line 3: add the missing"
            + " ']', or the ',' missing between its entries",
        loadError("apps:\n  - name: [a\n"));
  }

  /**
   * Jackson reports an unknown field of a record at the end of its mapping, past the file's last
   * line for the last one: the field's own line is named.
   */
  @Test
  void anUnknownFieldIsNamedOnItsOwnLine() throws Exception {
    assertTrue(
        loadError("listen: 127.0.0.1:18080\nbogusTop: 1\n" + APP.formatted(""))
            .startsWith("2: bogusTop: unknown field 'bogusTop'; known fields: "));
    assertTrue(
        loadError(
                "apps:\n  - name: a\n    prunee: true\n    repo: https://git.example.com/c.git\n"
                    + "    namespace: a\n  - {name: b, repo: \"https://git.example.com/c.git\","
                    + " namespace: b}\n")
            .startsWith("3: apps[0].prunee: unknown field 'prunee'; known fields: "));
  }
}
