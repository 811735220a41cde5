package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.Loaders;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each folder under {@code manifest/malformed} is a source tree that must be rejected with exactly
 * the {@code file:line: message} lines of its {@code expected.txt}: its errors and notes, in the
 * order {@code ordinal validate} prints them.
 */
class MalformedManifestsTest {

  private static final ManifestLoader LOADER = Loaders.forFixtures();

  static Path corpus() throws URISyntaxException {
    return Path.of(MalformedManifestsTest.class.getResource("/manifest/malformed").toURI());
  }

  static Stream<String> cases() throws IOException, URISyntaxException {
    try (Stream<Path> folders = Files.list(corpus())) {
      return folders.map(folder -> folder.getFileName().toString()).sorted().toList().stream();
    }
  }

  @Test
  void corpusHasAtLeast120Cases() throws Exception {
    assertTrue(cases().count() >= 120, "only " + cases().count() + " malformed cases");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rejectsWithExactErrors(String name) throws Exception {
    Path folder = corpus().resolve(name);
    List<String> expected =
        Files.readAllLines(folder.resolve("expected.txt"), StandardCharsets.UTF_8).stream()
            .filter(line -> !line.isBlank())
            .toList();

    LoadResult result = LOADER.load(LocalDirectory.read(folder));

    assertInstanceOf(LoadResult.Invalid.class, result);
    assertEquals(expected, result.problems().stream().map(LoadError::toString).toList());
  }

  /**
   * {@code ordinal validate} keeps only an outline of each object it checked; the checks across
   * files that read those outlines must find what they find in whole objects.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void validateFindsWhatTheDaemonFinds(String name) throws Exception {
    SourceTree tree = LocalDirectory.read(corpus().resolve(name));

    LoadResult daemon = LOADER.load(tree);
    LoadResult validate = LOADER.checkOnly().load(tree);

    assertEquals(daemon.problems(), validate.problems());
  }

  /**
   * Lines come from the positions kept while a document was read; reading the document again on its
   * own, from where it starts (what an error found across files does), must find the same.
   */
  @Test
  void positionsKeptWhileReadingAreThoseFoundByReadingAgain() throws Exception {
    Path resources = corpus().getParent();
    int documents = 0;
    try (Stream<Path> files = Files.walk(resources)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        for (YamlDocuments.Document document : YamlDocuments.split(bytes).documents()) {
          assertEquals(
              document.origin().positions(bytes),
              document.positions(),
              resources.relativize(file) + ", document " + document.index());
          documents++;
        }
      }
    }
    assertTrue(documents > 200, "only " + documents + " documents compared");
  }
}
