package dev.ordinal.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Runs the CLI on its own thread, so tests can read its output while it runs and then interrupt it.
 */
final class LiveCli implements AutoCloseable {
  private final StringWriter out =
      new StringWriter(); // backed by a StringBuffer: safe to read concurrently
  private final StringWriter err = new StringWriter();
  private final Thread thread;
  private volatile int exitCode = -1;

  LiveCli(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    thread = new Thread(() -> exitCode = cli.execute(args), "live-cli");
    thread.setDaemon(true);
    thread.start();
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }

  /** Waits until the output contains {@code text}; fails with the output so far otherwise. */
  void awaitOut(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (out().contains(text)) {
        return;
      }
      if (!thread.isAlive()) {
        throw new AssertionError(
            "CLI exited "
                + exitCode
                + " before printing '"
                + text
                + "'; out:\n"
                + out()
                + "\nerr:\n"
                + err());
      }
      sleep(50);
    }
    throw new AssertionError(
        "timed out waiting for '" + text + "'; out:\n" + out() + "\nerr:\n" + err());
  }

  /** Interrupts the command (as Ctrl-C would end it) and returns its exit code. */
  int interruptAndJoin(Duration timeout) throws InterruptedException {
    thread.interrupt();
    thread.join(timeout.toMillis());
    if (thread.isAlive()) {
      throw new AssertionError(
          "CLI did not stop within " + timeout + " after an interrupt; out:\n" + out());
    }
    return exitCode;
  }

  @Override
  public void close() throws InterruptedException {
    if (thread.isAlive()) {
      thread.interrupt();
      thread.join(5_000);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
