package dev.ordinal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

  /** Imports and fully-qualified uses in code (comments, Javadoc and literals stripped). */
  private static final Pattern REFERENCE =
      Pattern.compile(
          "\\b(io\\.fabric8\\.kubernetes\\.client|dev\\.ordinal\\.[a-z]+|java\\.net|org\\.eclipse\\.jgit|java\\.nio\\.file)\\b");

  private static List<String> violations(String fromPackage, List<String> forbidden)
      throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN.resolve(fromPackage))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        String code = codeOnly(Files.readString(file));
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

  /**
   * {@code source} with comments removed and every string, text block and char literal emptied, in
   * one pass that reads them as javac does: a {@code //} inside a string is not a comment, a quote
   * inside a comment opens no string, and a text block may hold anything.
   */
  static String codeOnly(String source) {
    StringBuilder code = new StringBuilder(source.length());
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (source.startsWith("//", i)) {
        int end = source.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        code.append(' ');
      } else if (source.startsWith("\"\"\"", i)) {
        i = skipQuoted(source, i + 3, "\"\"\"");
        code.append("\"\"");
      } else if (c == '"' || c == '\'') {
        i = skipQuoted(source, i + 1, String.valueOf(c));
        code.append(c).append(c);
      } else {
        code.append(c);
        i++;
      }
    }
    return code.toString();
  }

  /** The index just past the {@code close} that ends a literal begun before {@code from}. */
  private static int skipQuoted(String source, int from, String close) {
    int i = from;
    while (i < source.length() && !source.startsWith(close, i)) {
      i += source.charAt(i) == '\\' ? 2 : 1;
    }
    return Math.min(source.length(), i + close.length());
  }

  /** What the checks read of a file: code, never what a literal or a comment says. */
  @Test
  void literalsAndCommentsAreNotCode() {
    String source =
        "String u = \"http://x\"; dev.ordinal.kube.A a; // dev.ordinal.sim\n"
            + "/* it's \" dev.ordinal.web */ char q = '\"'; char b = '\\\\';\n"
            + "String t = \"\"\"\n  dev.ordinal.demo \\\"\"\" still\n  \"\"\"; dev.ordinal.git.B b;\n"
            + "String e = \"a \\\" dev.ordinal.metrics\"; dev.ordinal.plan.C c;";
    String code = codeOnly(source);
    List<String> found = new ArrayList<>();
    Matcher m = REFERENCE.matcher(code);
    while (m.find()) {
      found.add(m.group(1));
    }
    assertEquals(List.of("dev.ordinal.kube", "dev.ordinal.git", "dev.ordinal.plan"), found, code);
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

  /** Ordinal's own packages and the libraries that the table's last column governs. */
  private static final Pattern GOVERNED =
      Pattern.compile(
          "\\b(dev\\.ordinal\\.[a-z]+|io\\.fabric8\\.kubernetes\\.(?:client|api)|com\\.fasterxml\\.jackson"
              + "|org\\.eclipse\\.jgit|org\\.yaml\\.snakeyaml|io\\.prometheus|org\\.eclipse\\.jetty|picocli"
              + "|com\\.github\\.difflib|ch\\.qos\\.logback)\\b");

  private static final String CLIENT = "io.fabric8.kubernetes.client";
  private static final String MODEL = "io.fabric8.kubernetes.api";
  private static final String JACKSON = "com.fasterxml.jackson";
  private static final String JGIT = "org.eclipse.jgit";
  private static final String SNAKEYAML = "org.yaml.snakeyaml";
  private static final String PROMETHEUS = "io.prometheus";

  /** "Every capability package", in the daemon's and the demo's rows. */
  private static final Set<String> CAPABILITIES =
      Set.of(
          "rollout",
          "plan",
          "manifest",
          "analysis",
          "git",
          "promotion",
          "backup",
          "web",
          "metrics",
          "notify");

  /** "The ports and the types they carry", in the rows of their implementations. */
  private static final Set<String> PORTS_AND_TYPES =
      Set.of("daemon", "shard", "analysis", "backup", "plan", "rollout", "manifest");

  /**
   * The README's "may import" column as data: for each package, the other packages of Ordinal and
   * the libraries it may use (the JDK and SLF4J are open to all). "The ports" are {@code daemon}'s
   * and {@code shard}'s; "every capability package" is every package but the entry points ({@code
   * cli}, {@code demo}), the ports and their implementations ({@code kube}, {@code sim}).
   */
  private static final Map<String, Set<String>> MAY_IMPORT =
      Map.ofEntries(
          Map.entry("rollout", Set.of("manifest", JACKSON)),
          Map.entry("plan", Set.of("rollout", "manifest", JACKSON, "com.github.difflib", MODEL)),
          Map.entry("manifest", Set.of(JACKSON, SNAKEYAML, MODEL)),
          Map.entry("analysis", Set.of("manifest", "rollout", JACKSON)),
          Map.entry("git", Set.of("manifest", JGIT, JACKSON)),
          Map.entry(
              "promotion",
              Set.of("rollout", "git", "manifest", "plan", JGIT, SNAKEYAML, JACKSON, MODEL)),
          Map.entry("backup", Set.of("daemon", "shard", "rollout", JACKSON, MODEL)),
          Map.entry("daemon", with(CAPABILITIES, "shard", JACKSON, MODEL, PROMETHEUS)),
          Map.entry("shard", Set.of()),
          Map.entry("kube", with(PORTS_AND_TYPES, CLIENT, MODEL, JACKSON)),
          Map.entry("sim", with(PORTS_AND_TYPES, JACKSON, MODEL)),
          Map.entry(
              "demo",
              with(
                  CAPABILITIES,
                  "daemon",
                  "shard",
                  "sim",
                  JACKSON,
                  MODEL,
                  JGIT,
                  SNAKEYAML,
                  PROMETHEUS)),
          Map.entry(
              "web",
              Set.of("rollout", "git", "analysis", "org.eclipse.jetty", JACKSON, PROMETHEUS)),
          Map.entry("metrics", Set.of("analysis", "rollout", PROMETHEUS)),
          Map.entry("notify", Set.of("analysis", "rollout", JACKSON)),
          Map.entry("cli", Set.of("*")));

  private static Set<String> with(Set<String> base, String... more) {
    Set<String> all = new HashSet<>(base);
    all.addAll(List.of(more));
    return Set.copyOf(all);
  }

  @Test
  void everyPackageUsesOnlyWhatTheMapAllowsIt() throws IOException {
    Map<String, Set<String>> beyond = new TreeMap<>();
    Set<String> unmapped = new TreeSet<>();
    try (Stream<Path> packages = Files.list(MAIN)) {
      for (Path pkg : packages.filter(Files::isDirectory).sorted().toList()) {
        String name = pkg.getFileName().toString();
        Set<String> allowed = MAY_IMPORT.get(name);
        if (allowed == null) {
          unmapped.add(name);
          continue;
        }
        if (allowed.contains("*")) {
          continue;
        }
        for (String used : uses(name)) {
          if (!allowed.contains(used)) {
            beyond.computeIfAbsent(name, k -> new TreeSet<>()).add(used);
          }
        }
      }
    }
    assertEquals(Set.of(), unmapped, "packages the README's map does not name");
    assertEquals(Map.of(), beyond, "uses beyond the README's \"may import\" column");
  }

  /** What a package's code uses of {@link #GOVERNED}: Ordinal's packages by their last name. */
  private static Set<String> uses(String fromPackage) throws IOException {
    Set<String> used = new HashSet<>();
    try (Stream<Path> files = Files.walk(MAIN.resolve(fromPackage))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        // Literals emptied: a logger's name, or a package named in a message, is not a use.
        String code = codeOnly(Files.readString(file));
        Matcher m = GOVERNED.matcher(code);
        while (m.find()) {
          String ref = m.group(1);
          if (ref.startsWith("dev.ordinal.")) {
            String target = ref.substring("dev.ordinal.".length());
            if (!target.equals(fromPackage)) {
              used.add(target);
            }
          } else {
            used.add(ref);
          }
        }
      }
    }
    return used;
  }
}
