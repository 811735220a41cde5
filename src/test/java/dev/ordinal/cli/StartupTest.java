package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** What a run sets up before its command: only that command, and Logback only when it logs. */
class StartupTest {
  private static Set<String> commands(String... args) {
    return Main.commandLine(args).getSubcommands().keySet();
  }

  @Nested
  class OnlyTheCommandThatRuns {
    @Test
    void aNamedCommandIsTheOnlyOneBuilt() {
      assertEquals(Set.of("diff"), commands("diff", "envs/prod", "-n", "shop"));
      assertEquals(Set.of("validate"), commands("-v", "validate", "envs/prod"));
      assertEquals(Set.of("backup"), commands("backup", "list"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"help", "completion", "dif", "--help", "-V"})
    void helpCompletionAndAnythingElseGetTheWholeTree(String arg) {
      assertEquals(commands(), commands(arg, "diff"));
      assertTrue(
          commands().containsAll(List.of("diff", "help", "completion")), commands().toString());
    }

    @Test
    void aCommandAloneSaysWhatItSaysInTheWholeTree() {
      for (List<String> args :
          List.of(
              List.of("diff", "--help"),
              List.of("backup", "restore", "-h"),
              List.of("status", "--no-such-option"))) {
        String[] argv = args.toArray(String[]::new);
        CliRun whole = CliRun.of(argv);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine alone = Main.commandLine(argv);
        alone.setOut(new PrintWriter(out, true));
        alone.setErr(new PrintWriter(err, true));
        assertEquals(whole.exitCode(), alone.execute(argv), args.toString());
        assertEquals(whole.out(), out.toString(), args.toString());
        assertEquals(whole.err(), err.toString(), args.toString());
      }
    }
  }

  @Nested
  class LogbackOnlyWhenItLogs {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "run --config c.yaml",
          "-v diff dir",
          "diff dir --verbose",
          "validate -v dir",
          "status -wv"
        })
    void runAndVerboseCommandsLog(String args) {
      assertTrue(Logging.logs(args.split(" ")), args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"diff dir -n vault", "validate envs/prod", "version", "demo --keep"})
    void otherCommandsDoNot(String args) {
      assertFalse(Logging.logs(args.split(" ")), args);
    }

    @Test
    void aQuietRunUnderLogbackDeniesEveryEventWhileItRuns() {
      // Logback is bound in the test JVM: the run silences it, and only while it runs.
      org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StartupTest.class);
      boolean before = log.isErrorEnabled();
      int exit =
          Logging.silenced(
              () -> {
                assertFalse(log.isErrorEnabled());
                return 7;
              });
      assertEquals(7, exit);
      assertEquals(before, log.isErrorEnabled());
    }
  }
}
