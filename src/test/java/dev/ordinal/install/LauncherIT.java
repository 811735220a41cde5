package dev.ordinal.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ordinal on the jar and class-data archive that {@code mvn package} made: a one-shot command
 * starts on the archive, and without a usable one (missing, older than the jar, not an archive,
 * made by another Java) it runs all the same and says nothing about it. Which classes came from the
 * archive is read from the JVM's own class-loading log.
 */
class LauncherIT {
  private static final Duration LIMIT = Duration.ofMinutes(2);
  private static final Path JAR =
      Path.of(System.getProperty("ordinal.buildDir", "target"), "ordinal.jar").toAbsolutePath();

  @TempDir Path dir;

  /** Runs bin/ordinal on {@code jar}, logging where classes come from to a file it returns. */
  private Exec ordinal(Path jar, Map<String, String> more, String... args) throws Exception {
    Map<String, String> env =
        ClassDataArchiveTraining.launcher(
            jar, "-Xlog:class+load:file=" + dir.resolve("classes.log"));
    env.putAll(more);
    return Exec.run(LIMIT, env, Stream.concat(Stream.of("bin/ordinal"), Stream.of(args)).toList());
  }

  private List<String> loaded(String prefix) throws Exception {
    return Files.readAllLines(dir.resolve("classes.log")).stream()
        .filter(l -> l.contains(" " + prefix))
        .toList();
  }

  private static void printsTheVersion(Exec run) {
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().startsWith("ordinal "), run.out());
    assertEquals("", run.err(), "nothing about the archive on stderr");
  }

  /**
   * A copy of the jar with {@code archive} beside it (or none): only the fallback can run there.
   */
  private Path jarWith(byte[] archive, Instant archiveTime) throws Exception {
    Path jar =
        Files.copy(
            JAR,
            dir.resolve("ordinal.jar"),
            StandardCopyOption.COPY_ATTRIBUTES,
            StandardCopyOption.REPLACE_EXISTING);
    Path jsa = dir.resolve("ordinal.jsa");
    Files.deleteIfExists(jsa);
    if (archive != null) {
      Files.write(jsa, archive);
      Files.setLastModifiedTime(jsa, FileTime.from(archiveTime));
    }
    return jar;
  }

  @Test
  void aOneShotCommandStartsOnTheArchive() throws Exception {
    Path archive = JAR.resolveSibling("ordinal.jsa");
    assertTrue(Files.exists(archive), "mvn package makes the archive");
    assertTrue(
        Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(JAR)) > 0,
        "the archive is newer than the jar, as the launcher requires");
    Exec run = ordinal(JAR, Map.of(), "version");
    printsTheVersion(run);
    assertTrue(
        loaded("dev.ordinal.cli.Main ").get(0).contains("source: shared objects file"),
        loaded("dev.ordinal.cli.Main ").toString());
    // and with no -v, not one class of Logback is loaded, here nor by validate
    assertEquals(List.of(), loaded("ch.qos.logback"));
    Exec validate = ordinal(JAR, Map.of(), "validate", "examples/orders-db/envs/prod");
    assertEquals(0, validate.exitCode(), validate.out() + validate.err());
    assertEquals(List.of(), loaded("ch.qos.logback"));
  }

  @Test
  void withoutAUsableArchiveItRunsAllTheSame() throws Exception {
    byte[] archive = Files.readAllBytes(JAR.resolveSibling("ordinal.jsa"));
    Instant later = Instant.now().plusSeconds(60);
    // none; the real archive but for a jar elsewhere; older than the jar; not an archive at all
    for (Path jar :
        List.of(
            jarWith(null, later),
            jarWith(archive, later),
            jarWith(archive, Instant.now().minusSeconds(3600)),
            jarWith("not an archive".getBytes(), later))) {
      Exec run = ordinal(jar, Map.of(), "version");
      printsTheVersion(run);
      assertTrue(
          loaded("dev.ordinal.cli.Main ").get(0).contains("source: file:"),
          loaded("dev.ordinal.cli.Main ").toString());
    }
  }

  @Test
  void anotherJavaPassesTheArchiveOver() throws Exception {
    Path jvms = Path.of("/usr/lib/jvm");
    Path ours = Path.of(System.getProperty("java.home")).toRealPath();
    List<Path> others;
    try (Stream<Path> all = Files.isDirectory(jvms) ? Files.list(jvms) : Stream.empty()) {
      others =
          all.filter(p -> Files.isExecutable(p.resolve("bin/java")))
              .filter(p -> !realPath(p).equals(ours))
              .toList();
    }
    assumeTrue(!others.isEmpty(), "no second Java on this machine");
    printsTheVersion(ordinal(JAR, Map.of("JAVA_HOME", others.get(0).toString()), "version"));
  }

  @Test
  void theDaemonGetsTheJvmDefaults() throws Exception {
    Exec run = ordinal(JAR, Map.of("ORDINAL_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "run", "-h");
    assertEquals(0, run.exitCode(), run.err());
    assertFalse(run.out().contains("TieredStopAtLevel"), run.out());
    assertFalse(run.out().contains("SharedArchiveFile"), run.out());
    Exec oneShot =
        ordinal(JAR, Map.of("ORDINAL_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "validate", "-h");
    assertTrue(oneShot.out().contains("-XX:TieredStopAtLevel=1"), oneShot.out());
    assertTrue(oneShot.out().contains("-XX:CICompilerCount=1"), oneShot.out());
    assertTrue(oneShot.out().contains("-XX:C1MaxInlineSize=20"), oneShot.out());
    assertFalse(run.out().contains("CICompilerCount"), run.out());
    assertFalse(run.out().contains("C1MaxInlineSize"), run.out());
  }

  /**
   * The JVM refuses a single compiler thread to C1 and C2 together, so options that ask for both
   * leave the compiler threads to the JVM, and the command runs; C2 alone accepts one thread.
   */
  @Test
  void optionsThatAskForBothCompilersKeepTheJvmsCompilerThreads() throws Exception {
    Exec bothTiers = validateHelpWith("-XX:TieredStopAtLevel=4");
    assertEquals(0, bothTiers.exitCode(), bothTiers.err());
    assertTrue(bothTiers.out().contains("-XX:TieredStopAtLevel=4"), bothTiers.out());
    assertFalse(bothTiers.out().contains("CICompilerCount=1"), bothTiers.out());
    Exec c2Alone = validateHelpWith("-XX:-TieredCompilation");
    assertEquals(0, c2Alone.exitCode(), c2Alone.err());
    assertTrue(c2Alone.out().contains("-XX:-TieredCompilation"), c2Alone.out());
  }

  /** {@code ordinal validate -h} with {@code javaOptions}, printing the JVM's flags first. */
  private Exec validateHelpWith(String javaOptions) throws Exception {
    return ordinal(
        JAR,
        Map.of("ORDINAL_JAVA_OPTS", javaOptions + " -XX:+PrintCommandLineFlags"),
        "validate",
        "-h");
  }

  private static Path realPath(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
