package dev.ordinal.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ordinal.cli.CliRun;
import dev.ordinal.cli.Main;
import dev.ordinal.daemon.DaemonConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Server;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The container image of manifests/README.md ("The image"), built and started with neither a Docker
 * daemon nor a registry: on a base image made here from the JDK running the test ({@link
 * BaseImageTarball}), {@code mvn jib:buildTar -Dordinal.image.base=tar://...} builds the image of
 * this project; the test reads the OCI tarball it writes, unpacks its layers into one root file
 * system and runs the image's entrypoint there as the image's user.
 */
class ImageBuildIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration MAVEN_LIMIT = Duration.ofMinutes(5);
  private static final Duration LIMIT = Duration.ofMinutes(2);
  private static final Path ORDERS_DB = Path.of("examples/orders-db/envs/prod");

  @TempDir static Path work;
  private static BaseImageTarball base;
  private static Path layout;
  private static JsonNode index;
  private static JsonNode config;
  private static Path rootfs;

  @BeforeAll
  static void buildTheImageOnABaseMadeHere() throws Exception {
    base = BaseImageTarball.write(Files.createDirectories(work.resolve("base")));
    Path out = Files.createDirectories(work.resolve("out"));
    Exec build = Exec.run(MAVEN_LIMIT, null, jibBuildTar(base.file(), out));
    assertEquals(0, build.exitCode(), "mvn jib:buildTar:\n" + build.out() + build.err());

    layout = Files.createDirectories(work.resolve("layout"));
    Exec.run(
            LIMIT,
            "tar",
            "-xf",
            out.resolve("ordinal-image.tar").toString(),
            "-C",
            layout.toString())
        .orFail("tar -x of the image");
    index = JSON.readTree(layout.resolve("index.json").toFile());
    JsonNode manifest = blob(index.at("/manifests/0/digest").asText());
    config = blob(manifest.at("/config/digest").asText());
    // The layers in order, over each other, as a container runtime stacks them.
    rootfs = Files.createDirectories(work.resolve("rootfs"));
    for (JsonNode layer : manifest.path("layers")) {
      assertEquals(
          "application/vnd.oci.image.layer.v1.tar+gzip", layer.path("mediaType").asText(), "layer");
      Path file = blobFile(layer.path("digest").asText());
      Exec.run(LIMIT, "tar", "-xzf", file.toString(), "-C", rootfs.toString())
          .orFail("tar -x of layer " + file);
    }
  }

  /**
   * The README's {@code mvn -B -DskipTests package jib:buildTar} after {@code package} has run: the
   * build running this test has compiled the classes Jib layers, so only the goal runs here. The
   * same Maven, local repository and build folder as that build; not offline, so that a fresh
   * machine fetches the plugin, which no phase of the build uses. Jib's outputs and caches go to
   * {@code out}, away from a tarball someone built in target/.
   */
  private static List<String> jibBuildTar(Path baseTarball, Path out) {
    String mavenHome = System.getProperty("ordinal.maven.home");
    Path mvn = mavenHome == null ? Path.of("mvn") : Path.of(mavenHome, "bin", "mvn");
    List<String> command =
        new ArrayList<>(
            List.of(
                Files.isExecutable(mvn) ? mvn.toString() : "mvn",
                "-B",
                "-ntp",
                "-f",
                Path.of("pom.xml").toAbsolutePath().toString(),
                "jib:buildTar",
                "-Dordinal.image.base=tar://" + baseTarball.toAbsolutePath(),
                "-Djib.outputPaths.tar=" + out.resolve("ordinal-image.tar"),
                "-Djib.outputPaths.digest=" + out.resolve("jib-image.digest"),
                "-Djib.outputPaths.imageId=" + out.resolve("jib-image.id"),
                "-Djib.outputPaths.imageJson=" + out.resolve("jib-image.json"),
                "-Djib.applicationCache=" + out.resolve("app-cache"),
                "-Djib.baseImageCache=" + out.resolve("base-cache"),
                // Jib would otherwise ask the internet whether a newer Jib exists.
                "-Djib.disableUpdateChecks=true"));
    // Failsafe passes them (pom.xml); a run from an IDE falls back to Maven's defaults.
    String buildDir = System.getProperty("ordinal.buildDir");
    if (buildDir != null) {
      command.add("-Dordinal.buildDir=" + buildDir);
    }
    String repository = System.getProperty("ordinal.maven.repo.local");
    if (repository != null) {
      command.add("-Dmaven.repo.local=" + repository);
    }
    return command;
  }

  private static Path blobFile(String digest) {
    assertTrue(digest.startsWith("sha256:"), digest);
    return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
  }

  private static JsonNode blob(String digest) throws IOException {
    return JSON.readTree(blobFile(digest).toFile());
  }

  private static JsonNode deploymentContainerSpec() throws IOException {
    return new ObjectMapper(new YAMLFactory())
        .readTree(Path.of("manifests/deployment.yaml").toFile())
        .at("/spec/template/spec");
  }

  @Test
  void theTarballIsAnOciLayoutOfTheImageTheDeploymentRuns() throws IOException {
    assertTrue(Files.isRegularFile(layout.resolve("oci-layout")), "oci-layout");
    assertEquals(1, index.path("manifests").size(), index.toString());
    assertEquals(
        deploymentContainerSpec().at("/containers/0/image").asText(),
        index.at("/manifests/0/annotations").path("org.opencontainers.image.ref.name").asText());
  }

  @Test
  void ordinalsLayersLieOnTheBaseImageGiven() {
    List<String> diffIds = new ArrayList<>();
    config.at("/rootfs/diff_ids").forEach(d -> diffIds.add(d.asText()));
    assertEquals(base.layerDiffId(), diffIds.get(0), "the base's one layer comes first");
    assertTrue(diffIds.size() > 1, "Jib adds Ordinal's layers: " + diffIds);
    assertEquals("linux", config.path("os").asText());
    assertEquals(base.architecture(), config.path("architecture").asText());
  }

  @Test
  void itRunsAsTheDeploymentsUserAndExposesTheShippedConfigsTwoListeners() throws IOException {
    JsonNode pod = deploymentContainerSpec().path("securityContext");
    assertEquals(
        pod.path("runAsUser").asText() + ":" + pod.path("runAsGroup").asText(),
        config.at("/config/User").asText());

    DaemonConfig shipped = ShippedConfig.load();
    Set<String> exposed = new TreeSet<>();
    config.at("/config/ExposedPorts").fieldNames().forEachRemaining(exposed::add);
    assertEquals(
        Set.of(
            ShippedConfig.port(shipped.listenOrDefault()) + "/tcp",
            ShippedConfig.port(shipped.webhook().listenOrDefault()) + "/tcp"),
        exposed);
  }

  @Test
  void theEntrypointRunsOrdinalsMainWithItsClassesAndEveryLibraryTheyUse() throws Exception {
    List<String> entrypoint = entrypoint();
    assertEquals("java", entrypoint.get(0), "java from the base image's PATH: " + entrypoint);
    assertEquals(Main.class.getName(), entrypoint.get(entrypoint.size() - 1));
    List<Path> classpath = classpath(entrypoint);
    for (Path entry : classpath) {
      assertTrue(Files.exists(inImage(entry)), "on the classpath but not in the image: " + entry);
    }
    assertTrue(
        classpath.stream()
            .anyMatch(e -> Files.isRegularFile(inImage(e).resolve(classFile(Main.class)))),
        "Ordinal's classes: " + classpath);
    assertTrue(
        classpath.stream()
            .anyMatch(e -> Files.isRegularFile(inImage(e).resolve("ordinal-version.properties"))),
        "Ordinal's resources: " + classpath);
    // The jar each library's classes come from in this build; the image must carry the same one.
    for (Class<?> library :
        List.of(
            KubernetesClient.class,
            Git.class,
            ObjectMapper.class,
            YAMLFactory.class,
            CommandLine.class,
            Server.class,
            PrometheusRegistry.class)) {
      String jar = jarOf(library);
      assertTrue(
          classpath.stream().anyMatch(e -> e.getFileName().toString().equals(jar)),
          jar + " for " + library.getName() + ", not on " + classpath);
    }
  }

  private static List<String> entrypoint() {
    List<String> entrypoint = new ArrayList<>();
    config.at("/config/Entrypoint").forEach(a -> entrypoint.add(a.asText()));
    config.at("/config/Cmd").forEach(a -> entrypoint.add(a.asText()));
    return entrypoint;
  }

  /** The entries of the entrypoint's {@code -cp}, read from the argument file Jib writes. */
  private static List<Path> classpath(List<String> entrypoint) throws IOException {
    int cp = entrypoint.indexOf("-cp");
    assertTrue(cp > 0, "no -cp in " + entrypoint);
    String value = entrypoint.get(cp + 1);
    if (value.startsWith("@")) {
      value = Files.readString(inImage(Path.of(value.substring(1)))).strip();
    }
    return Stream.of(value.split(":")).map(Path::of).toList();
  }

  private static Path inImage(Path absolute) {
    return rootfs.resolve(absolute.toString().substring(1));
  }

  private static String classFile(Class<?> type) {
    return type.getName().replace('.', '/') + ".class";
  }

  private static String jarOf(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getFileName()
        .toString();
  }

  /**
   * The entrypoint, as the image gives it, in the image's root file system with the image's
   * environment, as its user: chroot, in a mount and a PID namespace of its own with a /proc (the
   * loader finds the runtime's own libraries through /proc/self/exe). Not a container runtime: the
   * network and the kernel are the host's. Only root may chroot and make namespaces.
   */
  private static Exec runImage(String... args) throws Exception {
    // unshare and chroot are the host's; chroot looks the entrypoint's java up on the image's PATH
    // (the environment below), inside the image.
    List<String> command =
        new ArrayList<>(
            List.of(
                which("unshare"),
                "--mount",
                "--pid",
                "--fork",
                "--mount-proc=" + rootfs.resolve("proc"),
                which("chroot"),
                "--userspec=" + config.at("/config/User").asText(),
                rootfs.toString()));
    command.addAll(entrypoint());
    command.addAll(List.of(args));
    Map<String, String> env = new HashMap<>();
    for (JsonNode variable : config.at("/config/Env")) {
      String[] kv = variable.asText().split("=", 2);
      env.put(kv[0], kv[1]);
    }
    return Exec.run(LIMIT, env, command);
  }

  private static String which(String program) {
    for (String dir : System.getenv("PATH").split(":")) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new AssertionError(program + " is not on the PATH (util-linux, coreutils)");
  }

  @Test
  void theImageStartsAndRunsOrdinalAsTheBuildDoes() throws Exception {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    assumeTrue(
        uid == 0, "starting the image needs root, for chroot and namespaces (.ci/run is root)");
    Files.createDirectories(rootfs.resolve("proc"));
    // The config repo where a container would have it mounted: inside the image's file system.
    Path repo = rootfs.resolve("config/orders-db");
    copyTree(ORDERS_DB, repo);

    Exec version = runImage("version");
    assertEquals(0, version.exitCode(), version.out() + version.err());
    assertEquals(CliRun.of("version").out(), version.out(), "the same version, the same Java");

    Exec validate = runImage("validate", "/config/orders-db");
    assertEquals(0, validate.exitCode(), validate.out() + validate.err());
    assertEquals(
        CliRun.of("validate", ORDERS_DB.toString()).out(),
        validate.out().replace("/config/orders-db", ORDERS_DB.toString()));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }
}
