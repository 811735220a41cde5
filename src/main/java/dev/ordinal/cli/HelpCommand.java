package dev.ordinal.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Parameters;

/**
 * {@code ordinal help [COMMAND [SUBCOMMAND...]]}: the help of any command in the tree, as {@code
 * --help} prints it. Picocli's own help command reads only its first word, so {@code ordinal help
 * backup restore} printed the help of {@code backup} and said nothing of {@code restore}; kubectl,
 * argocd and git all follow the whole path.
 */
@Command(
    name = "help",
    helpCommand = true,
    header = "Show the help of a command, as 'ordinal COMMAND --help' does.",
    description = {
      "Without a COMMAND, the help of ordinal itself. A subcommand follows its command: "
          + "'ordinal help backup restore'."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed", "2:no such command"})
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
  @Parameters(
      paramLabel = "COMMAND",
      arity = "0..*",
      description = "The command and its subcommands, as typed after 'ordinal'.")
  List<String> path = new ArrayList<>();

  private CommandLine self;
  private Help.ColorScheme colors;
  private PrintWriter out;

  @Override
  public void init(
      CommandLine helpCommandLine, Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
    this.self = helpCommandLine;
    this.colors = colorScheme;
    this.out = out;
  }

  @Override
  public void run() {
    CommandLine target = self.getParent();
    List<String> walked = new ArrayList<>(List.of(target.getCommandName()));
    for (String word : path) {
      CommandLine next = target.getSubcommands().get(word);
      if (next == null) {
        throw new CommandLine.ParameterException(
            self,
            "'"
                + String.join(" ", walked)
                + "' has no command "
                + Text.quoted(word)
                + (target.getSubcommands().isEmpty()
                    ? ""
                    : "; its commands are " + String.join(", ", target.getSubcommands().keySet())));
      }
      walked.add(word);
      target = next;
    }
    target.usage(out, colors);
  }
}
