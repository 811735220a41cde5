package dev.ordinal.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@code ordinal} in a child JVM as the unprivileged user nobody, for a test that needs the
 * operating system to refuse what root is always allowed (reading a file without read permission);
 * CI runs as root. The child's classpath is this JVM's, linked or copied into a folder nobody can
 * read: the original may sit under /root, which only root may enter.
 */
final class UnprivilegedCli {

  private static final int NOBODY = 65534;
  private static final String OPEN_DIRECTORY = "rwxr-xr-x";
  private static final String OPEN_FILE = "rw-r--r--";

  private UnprivilegedCli() {}

  /**
   * Runs {@code ordinal args} as nobody in {@code scratch} (a folder of its own, which holds the
   * classpath); any path in {@code args} must be one nobody can reach.
   */
  static CliRun run(Path scratch, String... args) throws IOException, InterruptedException {
    open(scratch, OPEN_DIRECTORY);
    List<String> command = new ArrayList<>(asNobody());
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto"));
    command.addAll(List.of("-cp", classpath(scratch.resolve("classpath"))));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    Path out = scratch.resolve("out.txt");
    Path err = scratch.resolve("err.txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(scratch.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().put("HOME", scratch.toString());
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          String.join(" ", command) + " did not finish in 60 s:\n" + Files.readString(err));
    }
    return new CliRun(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  /**
   * setpriv (util-linux) drops to nobody's user and group with no supplementary groups; runuser
   * (util-linux too) where it is missing.
   */
  private static List<String> asNobody() {
    if (onPath("setpriv")) {
      return List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--");
    }
    if (onPath("runuser")) {
      return List.of("runuser", "-u", "nobody", "--");
    }
    throw new AssertionError(
        "running as root, this test needs setpriv or runuser (util-linux) to run ordinal as"
            + " nobody, and neither is on the PATH");
  }

  private static boolean onPath(String program) {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(directory, program))) {
        return true;
      }
    }
    return false;
  }

  /**
   * This JVM's classpath (Surefire sets java.class.path to the test classpath) as entries under
   * {@code target}: jars hard-linked when anyone may read them (a link shares the original's
   * permissions), else copied; folders copied.
   */
  private static String classpath(Path target) throws IOException {
    open(Files.createDirectories(target), OPEN_DIRECTORY);
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path source = Path.of(entry);
      if (!Files.exists(source)) {
        continue;
      }
      Path copy = target.resolve(entries.size() + "-" + source.getFileName());
      if (Files.isDirectory(source)) {
        copyTree(source, copy);
      } else {
        linkOrCopy(source, copy);
      }
      entries.add(copy.toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void linkOrCopy(Path source, Path copy) throws IOException {
    if (Files.getPosixFilePermissions(source).contains(PosixFilePermission.OTHERS_READ)) {
      try {
        Files.createLink(copy, source);
        return;
      } catch (IOException | UnsupportedOperationException e) {
        // Another file system, or links refused: copy it.
      }
    }
    open(Files.copy(source, copy), OPEN_FILE);
  }

  private static void copyTree(Path source, Path copy) throws IOException {
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path to = copy.resolve(source.relativize(path).toString());
        if (Files.isDirectory(path)) {
          open(Files.createDirectories(to), OPEN_DIRECTORY);
        } else {
          open(Files.copy(path, to), OPEN_FILE);
        }
      }
    }
  }

  private static Path open(Path path, String permissions) throws IOException {
    return Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
  }
}
