package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.git.TestRemote;
import dev.ordinal.testkit.Loaders;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One answer per tree: {@code ordinal validate FOLDER} and {@code ordinal validate --repo} on a
 * commit of the same files print the same problems and exit with the same code. Over the whole
 * malformed corpus, and over trees of symlinks (loops, links to directories, broken links), hidden
 * directories and odd file names, which are where a folder and a commit used to disagree.
 */
class ValidateParityTest {

  @TempDir static Path tmp;
  private static TestRemote remote;
  private static Path config;

  @BeforeAll
  static void createRemote() throws IOException {
    remote = TestRemote.create(tmp.resolve("remote.git"));
    // The corpus's templates name the fixture servers and Secrets, as a daemon config would list.
    StringBuilder yaml = new StringBuilder("prometheus:\n");
    Loaders.FIXTURE_SERVERS.forEach(
        (name, address) ->
            yaml.append("  ").append(name).append(":\n    address: ").append(address).append('\n'));
    yaml.append("analysisSecrets: [").append(String.join(", ", Loaders.FIXTURE_SECRETS));
    yaml.append("]\napps:\n  - {name: corpus, repo: file:///nowhere, namespace: default}\n");
    config = Files.writeString(tmp.resolve("ordinal.yaml"), yaml);
  }

  @AfterAll
  static void closeRemote() {
    remote.close();
  }

  private static Path corpus() throws URISyntaxException {
    return Path.of(ValidateParityTest.class.getResource("/manifest/malformed").toURI());
  }

  /**
   * The corpus read as one tree: every case is a folder of it, so both readers see every case (and
   * the duplicates across them) in one run each.
   */
  @Test
  void theWholeCorpusGivesTheSameAnswerFromAFolderAndFromACommit() throws Exception {
    Path corpus = corpus();
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(corpus)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(corpus.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
      }
    }
    remote.commitBytes("corpus", files);

    List<String> problems = assertSameAnswer("corpus", corpus);

    // Every case says something: the corpus holds no valid tree.
    try (Stream<Path> cases = Files.list(corpus)) {
      for (Path folder : cases.toList()) {
        String prefix = folder.getFileName() + "/";
        assertTrue(
            problems.stream().anyMatch(line -> line.startsWith(prefix)),
            "nothing reported for " + folder.getFileName());
      }
    }
  }

  /** Trees where a folder and a commit used to answer differently. */
  static Stream<String> trees() {
    return TREES.keySet().stream();
  }

  private static final String STS = ValidateCommandTest.STS;

  private static final Map<String, Map<String, String>> TREES = new LinkedHashMap<>();

  static {
    TREES.put(
        "directory symlink loop", Map.of("apps/db.yaml", STS, "apps/again", TestRemote.link("..")));
    TREES.put(
        "directory symlink inside the tree",
        Map.of("v2/db.yaml", STS, "current", TestRemote.link("v2")));
    TREES.put(
        "file symlink chain loop",
        Map.of(
            "db.yaml", STS,
            "a.yaml", TestRemote.link("b.yaml"),
            "b.yaml", TestRemote.link("a.yaml")));
    TREES.put(
        "broken symlink",
        Map.of("db.yaml", STS, "gone.yaml", TestRemote.link("missing/gone.yaml")));
    TREES.put(
        "symlink leading outside",
        Map.of("db.yaml", STS, "secret.yaml", TestRemote.link("../../etc/passwd")));
    TREES.put(
        "symlink to a file, and one not named like a manifest",
        Map.of(
            "real/db.yaml", STS,
            "db-link.yaml", TestRemote.link("real/db.yaml"),
            "README", TestRemote.link("real/db.yaml")));
    TREES.put(
        "symlink through a linked directory",
        Map.of(
            "shared/v1/db.yaml", STS,
            "current", TestRemote.link("shared/v1"),
            "apps/db.yaml", TestRemote.link("../current/db.yaml")));
    TREES.put(
        "hidden directories and upper-case names",
        Map.of(
            "DB.YAML", STS,
            ".github/workflows/ci.yml", "on: push\n",
            "apps/.cache/x.yaml", "not: a manifest\n"));
    TREES.put(
        "control characters in file names",
        Map.of("bad\nname.yaml", "kind: ConfigMap\n", "esc\u001b[31m.yaml", "apiVersion: v1\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trees")
  void aTreeGivesTheSameAnswerFromAFolderAndFromACommit(String name) throws Exception {
    Map<String, String> files = TREES.get(name);
    String branch = "tree-" + name.replaceAll("[^a-z]+", "-");
    remote.commit(branch, files);
    Path folder = tmp.resolve(branch);
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = folder.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      String content = file.getValue();
      if (content.startsWith("\0link:")) {
        Files.createSymbolicLink(path, Path.of(content.substring("\0link:".length())));
      } else {
        Files.writeString(path, content, StandardCharsets.UTF_8);
      }
    }

    assertSameAnswer(branch, folder);
  }

  @Test
  void aDirectorySymlinkInsideTheTreeIsReadSoItsObjectsAreDuplicates() throws Exception {
    remote.commit("duplicates", TREES.get("directory symlink inside the tree"));
    CliRun run = viaRepository("duplicates");
    assertEquals(1, run.exitCode(), run.err());
    assertEquals(
        List.of(
            "v2/db.yaml:1: duplicate StatefulSet db, first defined at current/db.yaml:1; an app"
                + " declares each object once: remove one, or rename it",
            "hint: current and v2 define the same objects; if they are separate environments,"
                + " validate each on its own:"),
        problemLines(run));
  }

  /** Asserts both readers answer alike; returns the problem lines printed. */
  private static List<String> assertSameAnswer(String branch, Path folder) {
    CliRun fromFolder = CliRun.of("validate", "--config", config.toString(), folder.toString());
    CliRun fromCommit = viaRepository(branch);
    assertEquals(fromFolder.exitCode(), fromCommit.exitCode(), fromFolder.err() + fromCommit.err());
    assertEquals(
        problemLines(fromFolder).toString()
            + "\n"
            + fromFolder.out().replace(folder.toString(), "<source>"),
        problemLines(fromCommit).toString()
            + "\n"
            // A commit's summary names its revision; a folder has none to name.
            + fromCommit
                .out()
                .replace(remote.fileUrl(), "<source>")
                .replaceAll(" at [0-9a-f]{40}", ""));
    return problemLines(fromFolder);
  }

  private static CliRun viaRepository(String branch) {
    return CliRun.of(
        "validate",
        "--config",
        config.toString(),
        "--repo",
        remote.fileUrl(),
        "--revision",
        branch,
        "--data-dir",
        tmp.resolve("cache").toString());
  }

  /**
   * What was printed about the files: every line but the summary that names the source and the
   * commands of a hint, which name it too.
   */
  private static List<String> problemLines(CliRun run) {
    List<String> lines = new ArrayList<>();
    for (String line : run.err().split("\n")) {
      if (!line.matches(".*; nothing from (it|this revision) would be applied")
          && !line.startsWith("  ordinal validate ")
          && !line.isBlank()) {
        lines.add(line);
      }
    }
    return lines;
  }
}
