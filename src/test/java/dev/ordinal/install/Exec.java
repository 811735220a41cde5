package dev.ordinal.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A command run to its end within a deadline: its exit code, stdout and stderr. */
record Exec(int exitCode, String out, String err) {

  /** Runs {@code command} in the current directory with this JVM's environment. */
  static Exec run(Duration limit, String... command) throws IOException, InterruptedException {
    return run(limit, null, List.of(command));
  }

  /**
   * Runs {@code command}; {@code env}, when not null, is its whole environment. Output goes to
   * files, so a chatty command (Maven) never blocks on a full pipe.
   */
  static Exec run(Duration limit, Map<String, String> env, List<String> command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("exec", ".out");
    Path err = Files.createTempFile("exec", ".err");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      if (env != null) {
        builder.environment().clear();
        builder.environment().putAll(env);
      }
      Process p = builder.start();
      if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(
            String.join(" ", command) + " did not finish in " + limit + ":\n" + tail(out, err));
      }
      return new Exec(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }

  /** Fails with the command's output unless it exited 0. */
  Exec orFail(String what) {
    if (exitCode != 0) {
      throw new AssertionError(what + " exited " + exitCode + ":\n" + out + err);
    }
    return this;
  }

  private static String tail(Path out, Path err) throws IOException {
    String both = Files.readString(out) + Files.readString(err);
    return both.substring(Math.max(0, both.length() - 4000));
  }
}
