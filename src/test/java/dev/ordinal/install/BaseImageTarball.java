package dev.ordinal.install;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * A base image for Jib's {@code tar://}, made on this machine from the JDK that runs the tests, so
 * that the image builds with no registry: a Java runtime made by jlink at /opt/java/openjdk (where
 * the default base, eclipse-temurin, keeps its JRE), the host's shared libraries that runtime links
 * against at the paths it loads them from, a /tmp, and PATH and JAVA_HOME in its config. Written as
 * {@code docker save} writes an image (manifest.json, the config, one uncompressed layer tar): Jib
 * 3.5.2 reads a tarball base through its manifest.json, so an OCI layout tarball will not do.
 */
record BaseImageTarball(Path file, String layerDiffId, String architecture) {
  private static final String JAVA_HOME = "/opt/java/openjdk";
  private static final Map<String, String> ENV =
      Map.of(
          "PATH",
          JAVA_HOME + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "JAVA_HOME",
          JAVA_HOME);

  /**
   * The modules {@code jdeps --recursive --print-module-deps --ignore-missing-deps --multi-release
   * 17 --class-path <runtime classpath> target/classes} finds in Ordinal and its runtime
   * dependencies, and two it cannot see: jdk.crypto.ec, found as a security provider for the
   * elliptic curves of TLS to an API server or a Git host, and jdk.unsupported (sun.misc.Unsafe),
   * which libraries reach by reflection.
   */
  private static final List<String> MODULES =
      List.of(
          "java.base",
          "java.desktop",
          "java.naming",
          "java.net.http",
          "java.rmi",
          "java.security.jgss",
          "java.sql",
          "jdk.management",
          "jdk.crypto.ec",
          "jdk.unsupported");

  /** A library ldd resolved: its path, then its load address. */
  private static final Pattern RESOLVED = Pattern.compile("(/\\S+) \\(0x[0-9a-f]+\\)");

  private static final Duration LIMIT = Duration.ofMinutes(2);

  /** Writes {@code dir}/base.tar, building its file system in {@code dir}/root. */
  static BaseImageTarball write(Path dir) throws IOException, InterruptedException {
    Path root = dir.resolve("root");
    Path runtime = root.resolve(JAVA_HOME.substring(1));
    Files.createDirectories(runtime.getParent());
    jlink(runtime);
    copyLinkedLibraries(runtime, root);
    Path tmp = Files.createDirectories(root.resolve("tmp"));
    Exec.run(LIMIT, "chmod", "1777", tmp.toString()).orFail("chmod");

    Path layer = dir.resolve("layer.tar");
    // Owned by root with a fixed time, as image layers are: the build on top must not depend on
    // who ran the test or when.
    Exec.run(
            LIMIT,
            "tar",
            "--create",
            "--file",
            layer.toString(),
            "--directory",
            root.toString(),
            "--sort=name",
            "--owner=0",
            "--group=0",
            "--numeric-owner",
            "--mtime=@0",
            ".")
        .orFail("tar of the base layer");
    String diffId = "sha256:" + sha256(layer);
    String architecture = imageArchitecture();

    ObjectMapper json = new ObjectMapper();
    ObjectNode config = json.createObjectNode();
    config.put("architecture", architecture).put("os", "linux");
    ArrayNode env = config.withObjectProperty("config").withArrayProperty("Env");
    new TreeMap<>(ENV).forEach((k, v) -> env.add(k + "=" + v));
    config
        .withObjectProperty("rootfs")
        .put("type", "layers")
        .withArrayProperty("diff_ids")
        .add(diffId);
    json.writeValue(dir.resolve("config.json").toFile(), config);
    ObjectNode entry = json.createObjectNode().put("Config", "config.json");
    entry.withArrayProperty("RepoTags").add("ordinal-test-base:latest");
    entry.withArrayProperty("Layers").add("layer.tar");
    json.writeValue(dir.resolve("manifest.json").toFile(), json.createArrayNode().add(entry));

    Path file = dir.resolve("base.tar");
    Exec.run(
            LIMIT,
            "tar",
            "--create",
            "--file",
            file.toString(),
            "--directory",
            dir.toString(),
            "manifest.json",
            "config.json",
            "layer.tar")
        .orFail("tar of the base image");
    return new BaseImageTarball(file, diffId, architecture);
  }

  private static void jlink(Path runtime) {
    ToolProvider jlink =
        ToolProvider.findFirst("jlink")
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no jlink in "
                            + System.getProperty("java.home")
                            + ": the image test makes its base image's Java with it, run on a JDK"));
    StringWriter log = new StringWriter();
    PrintWriter to = new PrintWriter(log, true);
    int exit =
        jlink.run(
            to,
            to,
            "--add-modules",
            String.join(",", MODULES),
            "--no-header-files",
            "--no-man-pages",
            "--output",
            runtime.toString());
    if (exit != 0) {
      throw new AssertionError("jlink exited " + exit + ":\n" + log);
    }
  }

  /**
   * Copies every library outside the runtime that ldd resolves for its launchers and native
   * libraries to the same path under {@code root}. Names ldd cannot resolve are left out: libjvm.so
   * is loaded by the launcher before the libraries that need it, and the X11 and sound libraries of
   * java.desktop's toolkit, which a headless JVM never loads, may be missing from the host.
   * Starting the image shows whether anything needed is missing.
   */
  private static void copyLinkedLibraries(Path runtime, Path root)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ldd"));
    try (Stream<Path> files = Files.walk(runtime)) {
      files
          .filter(Files::isRegularFile)
          .filter(
              f ->
                  f.startsWith(runtime.resolve("bin"))
                      || f.getFileName().toString().endsWith(".so"))
          .map(Path::toString)
          .sorted()
          .forEach(command::add);
    }
    // ldd exits 1 when any file has a name it cannot resolve; what it resolved is still printed.
    Exec ldd = Exec.run(LIMIT, null, command);
    Set<Path> libraries = new TreeSet<>();
    Matcher m = RESOLVED.matcher(ldd.out());
    while (m.find()) {
      Path library = Path.of(m.group(1)).normalize();
      if (!library.startsWith(runtime)) {
        libraries.add(library);
      }
    }
    if (libraries.isEmpty()) {
      throw new AssertionError(
          "ldd resolved no library for the runtime:\n" + ldd.out() + ldd.err());
    }
    for (Path library : libraries) {
      Path copy = root.resolve(library.toString().substring(1));
      Files.createDirectories(copy.getParent());
      // Follows symbolic links: the copy is the library itself, at the name the loader asks for.
      Files.copy(library, copy, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  /** The image architecture of this JVM's, in the names images use. */
  private static String imageArchitecture() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
