package dev.ordinal.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
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
    subcommands = {
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
      CommandLine.HelpCommand.class,
    },
    exitCodeListHeading = "%nExit codes (each command's help says what 1 means for it):%n",
    exitCodeList = {"0:success", "1:the command's negative answer", "2:usage or other error"})
public final class Main implements Runnable {
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
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit code (tests call this instead of {@link #main}). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /**
   * The command line with what annotations cannot say: {@code -h/--help} on every subcommand (an
   * inherited option would clash with the help command's own), and logging quieted for one-shot
   * commands.
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.addSubcommand("completion", new CompletionCommand());
    addHelpOption(cli);
    cli.setExecutionStrategy(Main::executeQuietly);
    return cli;
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
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    TurboFilter quiet = new Silence();
    quiet.start();
    context.addTurboFilter(quiet);
    try {
      return new CommandLine.RunLast().execute(parsed);
    } finally {
      context.getTurboFilterList().remove(quiet);
    }
  }

  /** Denies every log event while it is installed. */
  private static final class Silence extends TurboFilter {
    @Override
    public FilterReply decide(
        Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
      return FilterReply.DENY;
    }
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
