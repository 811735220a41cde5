package dev.ordinal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code ordinal} command line. Every command and subcommand takes {@code -h/--help} and {@code
 * -v/--verbose}; usage errors print the command's usage and exit 2. Human output goes to stdout;
 * logs go to stderr, from one-shot commands only with {@code -v}, from {@code run} always.
 */
@Command(
    name = "ordinal",
    versionProvider = Main.Version.class,
    header = "Ordinal: GitOps progressive delivery for Kubernetes StatefulSets.",
    description = {
      "Ordinal applies manifests from Git and rolls out a StatefulSet's new pod template step "
          + "by step with its partition, with analysis against Prometheus and automatic rollback.",
      "Start with 'ordinal demo' (no cluster needed); 'ordinal help COMMAND' describes a "
          + "command."
    },
    exitCodeListHeading = "%nExit codes (each command's help says what 1 means for it):%n",
    exitCodeList = {"0:success", "1:the command's negative answer", "2:usage or other error"})
public final class Main implements Runnable {
  /**
   * The commands below {@code ordinal}, in the order its help lists them. Picocli reads a command's
   * options by reflection when it is added, so a run adds only the command it runs (see {@link
   * #commandLine(String...)}).
   */
  private static final List<Class<?>> COMMANDS =
      List.of(
          DemoCommand.class,
          ValidateCommand.class,
          DiffCommand.class,
          PlanCommand.class,
          StatusCommand.class,
          RolloutCommands.Promote.class,
          RolloutCommands.Abort.class,
          RolloutCommands.Retry.class,
          RolloutCommands.Pause.class,
          RolloutCommands.Resume.class,
          BackupCommands.class,
          AnalysisCommand.class,
          RunCommand.class,
          RbacCommand.class,
          PromotionCommands.Group.class,
          PromotionCommands.PromoteEnv.class,
          VersionCommand.class,
          HelpCommand.class,
          CompletionCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "Print Ordinal's version and exit.")
  boolean version;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description =
          "Log to stderr what Ordinal does (level: $ORDINAL_LOG_LEVEL, default INFO). Without it,"
              + " only 'run' logs.")
  boolean verbose;

  public static void main(String[] args) {
    Logging.quietUnlessAsked(args);
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit code (tests call this instead of {@link #main}). */
  public static int execute(String... args) {
    return commandLine(args).execute(args);
  }

  /** The whole command tree, as {@code ordinal --help} and {@code ordinal completion} show it. */
  static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /**
   * The command line for {@code args}: when they name a command, only that command is added, so a
   * one-shot command does not pay for reading every other command's options; otherwise (no command,
   * an unknown one, {@code help}, {@code completion}) the whole tree. With what annotations cannot
   * say: {@code -h/--help} on every subcommand (an inherited option would clash with the help
   * command's own), and logging quieted for one-shot commands.
   */
  static CommandLine commandLine(String... args) {
    CommandLine cli = new CommandLine(new Main());
    String named = commandNamed(args);
    for (Class<?> command : COMMANDS) {
      if (named == null || named.equals(nameOf(command))) {
        cli.addSubcommand(command);
      }
    }
    addHelpOption(cli);
    cli.setExecutionStrategy(Main::executeQuietly);
    cli.setParameterExceptionHandler(Main::usageError);
    return cli;
  }

  /**
   * The command the arguments run, when it is one that needs no other: the first argument that is
   * not one of {@code ordinal}'s own options (none of which takes a value), if a command has that
   * name; null for {@code help}, {@code completion}, an unknown name or none, and after {@code
   * ordinal}'s own help or version option, whose answer lists every command.
   */
  static String commandNamed(String... args) {
    for (String arg : args) {
      if (arg.startsWith("-")) {
        if (List.of("-h", "--help", "-V", "--version").contains(arg)) {
          return null;
        }
        continue;
      }
      boolean known = COMMANDS.stream().anyMatch(c -> arg.equals(nameOf(c)));
      return known && !arg.equals("help") && !arg.equals("completion") ? arg : null;
    }
    return null;
  }

  private static String nameOf(Class<?> command) {
    return command.getAnnotation(Command.class).name();
  }

  private static void addHelpOption(CommandLine parent) {
    for (CommandLine sub : parent.getSubcommands().values()) {
      if (sub.getCommandSpec().findOption("-h") == null) {
        sub.getCommandSpec()
            .addOption(
                CommandLine.Model.OptionSpec.builder("-h", "--help")
                    .usageHelp(true)
                    .description("Show this help and exit.")
                    .build());
      }
      addHelpOption(sub);
    }
  }

  /**
   * A usage error as picocli reports it (the message, then suggestions or the command's usage),
   * with the message's control characters escaped: picocli echoes what it could not match as it was
   * typed, and a pasted escape sequence would reach the terminal.
   */
  private static int usageError(CommandLine.ParameterException error, String[] args) {
    CommandLine cli = error.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println(cli.getColorScheme().errorText(Text.escaped(String.valueOf(error.getMessage()))));
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(error, err)) {
      cli.usage(err, cli.getColorScheme());
    }
    return cli.getCommandSpec().exitCodeOnInvalidInput();
  }

  /**
   * Runs the chosen command with logging as it should be: the daemon ({@code run}) and any command
   * with {@code -v} log at the configured level; other commands log nothing, so their stderr holds
   * only what they say to the user.
   */
  private static int executeQuietly(CommandLine.ParseResult parsed) {
    Main main = (Main) parsed.commandSpec().userObject();
    Object leaf =
        parsed.asCommandLineList().get(parsed.asCommandLineList().size() - 1).getCommand();
    boolean logs = main.verbose || leaf instanceof RunCommand;
    if (logs) {
      return new CommandLine.RunLast().execute(parsed);
    }
    return Logging.silenced(() -> new CommandLine.RunLast().execute(parsed));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  static String version() {
    Properties p = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("/ordinal-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return p.getProperty("version", "unknown");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"ordinal " + version()};
    }
  }
}
