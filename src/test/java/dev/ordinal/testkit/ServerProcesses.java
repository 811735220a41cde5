package dev.ordinal.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the fixtures that run a real server binary (Prometheus, Gitea) do alike: pick a free port,
 * wait for the server to say it is ready while watching that it has not died, show the end of its
 * log in a failure, and stop it.
 */
public final class ServerProcesses {
  private ServerProcesses() {}

  /** A port free at this moment on the loopback interface. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * Polls {@code ready} until it holds; fails with the end of {@code log} when the process exits
   * first or the deadline passes. The caller stops the process on failure.
   */
  public static void awaitReady(
      String name, Process process, Path log, Duration timeout, BooleanSupplier ready)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + ":\n" + tail(log));
      }
      if (ready.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " was not ready within " + timeout + ":\n" + tail(log));
  }

  /** The last lines of a log, for a failure message. */
  public static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM, then SIGKILL if the process has not exited within {@code grace}. */
  public static void stop(Process process, Duration grace) {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
