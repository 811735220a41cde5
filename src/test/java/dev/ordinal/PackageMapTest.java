package dev.ordinal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Holds the source to the package map in the README ("How it is built"): the rules a newcomer
 * relies on when reading one package without the others.
 */
class PackageMapTest {
  private static final Path MAIN = Path.of("src/main/java/dev/ordinal");

  /** Imports and fully-qualified uses in code (comments and Javadoc stripped). */
  private static final Pattern REFERENCE =
      Pattern.compile(
          "\\b(io\\.fabric8\\.kubernetes\\.client|dev\\.ordinal\\.[a-z]+|java\\.net|org\\.eclipse\\.jgit|java\\.nio\\.file)\\b");

  private static List<String> violations(String fromPackage, List<String> forbidden)
      throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN.resolve(fromPackage))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        String code = withoutComments(Files.readString(file));
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
          for (String prefix : forbidden) {
            if (m.group(1).equals(prefix) || m.group(1).startsWith(prefix + ".")) {
              found.add(MAIN.relativize(file) + " uses " + m.group(1));
            }
          }
        }
      }
    }
    return found.stream().distinct().toList();
  }

  private static String withoutComments(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
  }

  @Test
  void onlyKubeImportsFabric8sClient() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> packages = Files.list(MAIN)) {
      for (Path pkg : packages.filter(Files::isDirectory).sorted().toList()) {
        if (!pkg.getFileName().toString().equals("kube")) {
          found.addAll(
              violations(pkg.getFileName().toString(), List.of("io.fabric8.kubernetes.client")));
        }
      }
    }
    assertEquals(List.of(), found);
  }

  @Test
  void theRolloutEngineDoesNoIo() throws IOException {
    assertEquals(
        List.of(),
        violations(
            "rollout",
            List.of(
                "io.fabric8.kubernetes.client",
                "java.net",
                "java.nio.file",
                "org.eclipse.jgit",
                "dev.ordinal.kube",
                "dev.ordinal.daemon",
                "dev.ordinal.sim")));
  }

  @Test
  void manifestsDoNotReachUpIntoAnalysisOrTheDaemon() throws IOException {
    assertEquals(
        List.of(),
        violations(
            "manifest", List.of("dev.ordinal.analysis", "dev.ordinal.daemon", "dev.ordinal.kube")));
  }

  @Test
  void theInMemoryClusterUsesThePortsOnly() throws IOException {
    assertEquals(
        List.of(), violations("sim", List.of("io.fabric8.kubernetes.client", "dev.ordinal.kube")));
  }
}
