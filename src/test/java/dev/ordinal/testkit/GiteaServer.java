package dev.ordinal.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A real Gitea for the forge adapter's integration test: the binary that {@value #BUILD_SCRIPT}
 * builds into the cache, on 127.0.0.1 and a free port, with SQLite, its own work directory and an
 * app.ini written here, and one admin user with an access token of every scope, made with Gitea's
 * own CLI. {@link #close()} stops it and anything it started (git, hooks).
 */
public final class GiteaServer implements AutoCloseable {
  public static final String VERSION = "1.27.3";
  static final String BUILD_SCRIPT = "src/test/gitea/build-gitea.sh";
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Duration CLI = Duration.ofSeconds(60);

  private final Path binDir;
  private final Path home;
  private final Path config;
  private final int port;
  private final String user = "ordinal";
  private Process process;
  private String token;

  private GiteaServer(Path binDir, Path home, int port) {
    this.binDir = binDir;
    this.home = home;
    this.config = home.resolve("app.ini");
    this.port = port;
  }

  /** Starts Gitea with {@code home} as its work directory and makes the admin user and token. */
  public static GiteaServer start(Path home) throws IOException, InterruptedException {
    Path binDir = binaryDir();
    if (!Files.isExecutable(binDir.resolve("gitea"))
        || !Files.isDirectory(binDir.resolve("options/locale"))) {
      throw new IllegalStateException(
          "Gitea "
              + VERSION
              + " is not built: missing "
              + binDir.resolve("gitea")
              + " or its options/. Run 'bash "
              + BUILD_SCRIPT
              + "' (it builds Gitea from its Go module into that cache; set ORDINAL_GITEA_CACHE to"
              + " move it).");
    }
    GiteaServer server = new GiteaServer(binDir, home, ServerProcesses.freePort());
    try {
      server.launch();
      server.createAdmin();
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  static Path binaryDir() {
    String cache =
        System.getProperty(
            "ordinal.gitea.cache",
            System.getenv()
                .getOrDefault(
                    "ORDINAL_GITEA_CACHE",
                    System.getProperty("user.home") + "/.cache/ordinal/gitea"));
    String os =
        System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
            ? "linux"
            : "darwin";
    String arch = System.getProperty("os.arch").contains("aarch64") ? "arm64" : "amd64";
    return Path.of(cache).resolve(VERSION + "-" + os + "-" + arch);
  }

  private void launch() throws IOException, InterruptedException {
    Files.createDirectories(home);
    Files.writeString(config, appIni());
    Path log = home.resolve("gitea.log");
    process = command("web").redirectOutput(log.toFile()).start();
    ServerProcesses.awaitReady("gitea", process, log, STARTUP, this::healthy);
  }

  private String appIni() {
    String root = "http://127.0.0.1:" + port + "/";
    return String.join(
        "\n",
        "APP_NAME = ordinal-test",
        "RUN_MODE = prod",
        "WORK_PATH = " + home,
        // CI runs the tests as root, which Gitea refuses unless told the risk is taken.
        "I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true",
        "[server]",
        "PROTOCOL = http",
        "HTTP_ADDR = 127.0.0.1",
        "HTTP_PORT = " + port,
        "ROOT_URL = " + root,
        // Locales and templates as build-gitea.sh lays them out (no bindata in this binary).
        "STATIC_ROOT_PATH = " + binDir,
        "APP_DATA_PATH = " + home.resolve("data"),
        "OFFLINE_MODE = true",
        "DISABLE_SSH = true",
        "START_SSH_SERVER = false",
        "LFS_START_SERVER = false",
        "[database]",
        "DB_TYPE = sqlite3",
        "PATH = " + home.resolve("data/gitea.db"),
        "[repository]",
        "ROOT = " + home.resolve("repositories"),
        "[security]",
        "INSTALL_LOCK = true",
        "SECRET_KEY = " + secret(),
        "INTERNAL_TOKEN = " + secret(),
        "[oauth2]",
        "ENABLED = false",
        "[mailer]",
        "ENABLED = false",
        "[service]",
        "DISABLE_REGISTRATION = true",
        "[log]",
        "MODE = console",
        "LEVEL = Info",
        "");
  }

  private static String secret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** Gitea's CLI with this server's config, so it reads and writes the same database. */
  private ProcessBuilder command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binDir.resolve("gitea").toString());
    command.addAll(List.of("--config", config.toString(), "--work-path", home.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // Git run by Gitea and its hooks reads HOME; keep it off the user's own git config.
    builder.environment().put("HOME", home.toString());
    builder.environment().put("GITEA_WORK_DIR", home.toString());
    return builder;
  }

  private boolean healthy() {
    try {
      HttpResponse<Void> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(root().resolve("/api/healthz"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException notYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void createAdmin() throws IOException, InterruptedException {
    run(
        "admin",
        "user",
        "create",
        "--username",
        user,
        "--password",
        secret(),
        "--email",
        user + "@example.com",
        "--admin",
        "--must-change-password=false");
    List<String> output =
        run(
            "admin",
            "user",
            "generate-access-token",
            "--username",
            user,
            "--token-name",
            "ordinal-it",
            "--scopes",
            "all",
            "--raw");
    // The CLI may log warnings (running as root) before the token, which is the last line.
    token = output.get(output.size() - 1).strip();
    if (!token.matches("[0-9a-f]{40}")) {
      throw new IllegalStateException(
          "gitea printed no access token:\n" + String.join("\n", output));
    }
  }

  /** Runs a Gitea CLI command to its end and returns its output lines. */
  private List<String> run(String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(home, "gitea-cli", ".log");
    Process cli = command(args).redirectOutput(out.toFile()).start();
    if (!cli.waitFor(CLI.toSeconds(), TimeUnit.SECONDS)) {
      cli.destroyForcibly();
      throw new IllegalStateException(
          "gitea "
              + args[0]
              + " "
              + args[1]
              + " did not finish within "
              + CLI
              + ":\n"
              + ServerProcesses.tail(out));
    }
    List<String> lines = Files.readAllLines(out, UTF_8);
    if (cli.exitValue() != 0) {
      throw new IllegalStateException(
          "gitea "
              + String.join(" ", args).replaceAll("--password \\S+", "--password ***")
              + " exited with "
              + cli.exitValue()
              + ":\n"
              + ServerProcesses.tail(out));
    }
    return lines;
  }

  /** {@code http://127.0.0.1:PORT/} */
  public URI root() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** The API root, {@code http://127.0.0.1:PORT/api/v1}. */
  public URI api() {
    return URI.create("http://127.0.0.1:" + port + "/api/v1");
  }

  /** The admin user the token belongs to. */
  public String user() {
    return user;
  }

  /** An access token of the admin user with every scope. */
  public String token() {
    return token;
  }

  /** The server's log, for a failing test's message. */
  public String log() {
    return ServerProcesses.tail(home.resolve("gitea.log"));
  }

  /** Stops Gitea gracefully (SIGTERM), and the git processes and hooks it started with it. */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    ServerProcesses.stop(process, Duration.ofSeconds(15));
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
