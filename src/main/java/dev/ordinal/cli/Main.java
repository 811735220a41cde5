package dev.ordinal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ordinal} command line. Usage errors print help and exit 2. */
@Command(
    name = "ordinal",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "GitOps progressive delivery for Kubernetes StatefulSets.",
    subcommands = {
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
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit code (tests call this instead of {@link #main}). */
  public static int execute(String... args) {
    return new CommandLine(new Main()).execute(args);
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
