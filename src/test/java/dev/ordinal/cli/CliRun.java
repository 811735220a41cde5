package dev.ordinal.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;

/** Runs the CLI in-process, as {@code ordinal} runs it, and captures its exit code and output. */
public record CliRun(int exitCode, String out, String err) {
  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    return new CliRun(execute(args, out, err), out.toString(), err.toString());
  }

  private static int execute(String[] args, StringWriter out, StringWriter err) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  /** Starts a command that runs until interrupted, such as {@code demo --keep}. */
  public static Running start(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                exit.complete(execute(args, out, err));
              } catch (RuntimeException | Error e) {
                exit.completeExceptionally(e);
              }
            },
            "ordinal " + String.join(" ", args));
    thread.setDaemon(true);
    thread.start();
    return new Running(thread, out, err, exit);
  }

  /** A command running on its own thread; its output so far can be read at any time. */
  public record Running(
      Thread thread, StringWriter out, StringWriter err, CompletableFuture<Integer> exit) {
    /** Waits until stdout holds {@code text}; fails with the output so far after {@code limit}. */
    public void awaitOut(String text, Duration limit) throws InterruptedException {
      long end = System.nanoTime() + limit.toNanos();
      while (!out.toString().contains(text)) {
        if (exit.isDone()) {
          throw new AssertionError("ended before printing '" + text + "':\n" + out + err);
        }
        if (System.nanoTime() > end) {
          throw new AssertionError("no '" + text + "' within " + limit + ":\n" + out + err);
        }
        Thread.sleep(50);
      }
    }

    /** Interrupts the command, as Ctrl-C would, and returns how it ended. */
    public CliRun stop(Duration limit) throws InterruptedException {
      thread.interrupt();
      try {
        return new CliRun(
            exit.get(limit.toMillis(), TimeUnit.MILLISECONDS), out.toString(), err.toString());
      } catch (ExecutionException | TimeoutException e) {
        throw new AssertionError("did not end within " + limit + ":\n" + out + err, e);
      }
    }
  }
}
