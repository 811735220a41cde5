package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command and subcommand explains itself the same way, found by walking the tree. */
class CliHelpTest {
  /** Every command path below {@code ordinal}, such as [analysis, backtest]. */
  static Stream<List<String>> commands() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(), new ArrayList<>(), paths);
    return paths.stream();
  }

  private static void collect(CommandLine cli, List<String> path, List<List<String>> into) {
    for (var sub : cli.getSubcommands().entrySet()) {
      List<String> next = new ArrayList<>(path);
      next.add(sub.getKey());
      into.add(next);
      collect(sub.getValue(), next, into);
    }
  }

  private static String[] args(List<String> path, String... more) {
    List<String> all = new ArrayList<>(path);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void theTreeHasEveryCommand() {
    List<String> names = commands().map(p -> String.join(" ", p)).toList();
    assertTrue(
        names.containsAll(
            List.of(
                "demo",
                "validate",
                "diff",
                "plan",
                "status",
                "promote",
                "abort",
                "retry",
                "pause",
                "resume",
                "analysis",
                "analysis backtest",
                "run",
                "version",
                "help",
                "completion")),
        names.toString());
  }

  @ParameterizedTest
  @MethodSource("commands")
  void helpExitsZeroWithTheWholeDescriptionAndTheExitCodes(List<String> path) {
    for (String flag : List.of("--help", "-h")) {
      CliRun run = CliRun.of(args(path, flag));
      assertEquals(0, run.exitCode(), path + " " + flag + ": " + run.err());
      assertEquals("", run.err(), path + " " + flag);
      assertTrue(
          run.out().contains("Usage: ordinal " + String.join(" ", path)),
          path + " " + flag + ": " + run.out());
      assertTrue(run.out().contains("Exit codes:"), path + ": " + run.out());
    }
  }

  /** {@code ordinal help backup restore} follows the whole path, as kubectl and git do. */
  @ParameterizedTest
  @MethodSource("commands")
  void helpCommandPrintsTheSameAsDashDashHelp(List<String> path) {
    CliRun help = CliRun.of(args(List.of("help"), path.toArray(String[]::new)));
    assertEquals(0, help.exitCode(), help.err());
    assertEquals("", help.err(), path.toString());
    assertEquals(CliRun.of(args(path, "--help")).out(), help.out());
  }

  @Test
  void helpForACommandThatDoesNotExistNamesTheWordAndTheChoices() {
    CliRun top = CliRun.of("help", "rolback");
    assertEquals(2, top.exitCode());
    assertTrue(
        top.err().contains("'ordinal' has no command 'rolback'; its commands are demo, "),
        top.err());
    CliRun sub = CliRun.of("help", "backup", "\u001b[2Jrestor");
    assertEquals(2, sub.exitCode());
    assertTrue(
        sub.err()
            .contains(
                "'ordinal backup' has no command '\\x1b[2Jrestor'; its commands are list, create, restore, delete"),
        sub.err());
    assertTrue(sub.err().chars().noneMatch(c -> c == 0x1b), "no raw escape: " + sub.err());
    CliRun leaf = CliRun.of("help", "version", "extra");
    assertEquals(2, leaf.exitCode());
    assertTrue(leaf.err().contains("'ordinal version' has no command 'extra'\n"), leaf.err());
    assertEquals("", top.out() + sub.out() + leaf.out());
  }

  /**
   * Picocli echoes what it could not match as typed; an escape sequence must not reach a terminal.
   */
  @Test
  void unmatchedCommandsAndOptionsAreEchoedEscaped() {
    for (String[] args :
        List.of(
            new String[] {"no\u001b[2Jsuch"},
            new String[] {"status", "--watch\u001b]0;x\u0007"},
            new String[] {"backup", "\u001b[31mlist"})) {
      CliRun run = CliRun.of(args);
      assertEquals(2, run.exitCode(), String.join(" ", args) + ": " + run.err());
      assertTrue(run.err().contains("\\x1b"), run.err());
      assertTrue(
          run.err().chars().noneMatch(c -> c == 0x1b || c == 0x07), "no raw control: " + run.err());
    }
  }

  @ParameterizedTest
  @MethodSource("commands")
  void onlyTheTopLevelPrintsTheVersion(List<String> path) {
    CliRun run = CliRun.of(args(path, "-V"));
    assertTrue(!run.out().contains("ordinal " + Main.version()), path + ": " + run.out());
    if (!path.equals(List.of("help"))) {
      assertEquals(2, run.exitCode(), path + ": " + run.out());
    }
  }

  @Test
  void topLevelHelpListsEachCommandWithAWholeSentence() {
    CliRun run = CliRun.of("--help");
    assertEquals(0, run.exitCode());
    CommandLine cli = Main.commandLine();
    for (var sub : cli.getSubcommands().entrySet()) {
      var usage = sub.getValue().getCommandSpec().usageMessage();
      String summary = usage.header().length > 0 ? usage.header()[0] : usage.description()[0];
      assertTrue(summary.endsWith("."), sub.getKey() + ": '" + summary + "'");
    }
    assertTrue(run.out().contains("demo"), run.out());
    assertEquals(0, CliRun.of("-V").exitCode());
  }

  @Test
  void helpWithoutACommandIsTheTopLevelHelp() {
    CliRun run = CliRun.of("help");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(CliRun.of("--help").out(), run.out());
  }

  @Test
  void requiredOptionsDoNotStandInTheWayOfHelp() {
    assertEquals(0, CliRun.of("run", "--help").exitCode());
    assertEquals(0, CliRun.of("analysis", "backtest", "--help").exitCode());
  }

  @Test
  void completionPrintsABashScriptThatKnowsTheCommands() {
    CliRun run = CliRun.of("completion");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("complete -F"), run.out());
    assertTrue(run.out().contains("demo") && run.out().contains("backtest"), run.out());
  }

  @Test
  void usageErrorsEchoWhatTheyWereGivenWithControlCharactersEscaped() {
    CliRun run = CliRun.of("status", "-o", "\u001b[2Jjson");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("not '\\x1b[2Jjson'"), run.err());
    assertTrue(run.err().chars().noneMatch(c -> c == 0x1b), "no raw escape: " + run.err());
  }

  @Test
  void demoRefusesABadListenAddressAsAUsageErrorBeforeTheStoryStarts() {
    for (String listen : List.of("nonsense", "0.0.0.0:99999", "\u001b[2J:80x")) {
      CliRun run = CliRun.of("demo", "--listen", listen);
      assertEquals(2, run.exitCode(), listen + ": " + run.err());
      assertTrue(
          run.err().contains("--listen: expected host:port such as 0.0.0.0:8080"), run.err());
      assertTrue(!run.err().contains("Exception") && !run.err().contains("\tat "), run.err());
      assertTrue(run.err().chars().noneMatch(c -> c == 0x1b), "no raw escape: " + run.err());
      assertTrue(run.out().isEmpty() || !run.out().contains("=="), "no story: " + run.out());
    }
  }
}
