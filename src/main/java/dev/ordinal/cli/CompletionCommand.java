package dev.ordinal.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ordinal completion}: the shell completion script picocli generates from the commands. */
@Command(
    name = "completion",
    header = "Print a bash/zsh completion script for ordinal.",
    description = {
      "Load it into the current shell: source <(ordinal completion)",
      "Install it for every shell: ordinal completion > /etc/bash_completion.d/ordinal",
      "(zsh: run 'autoload -U +X bashcompinit && bashcompinit' first)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the script was printed"})
final class CompletionCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    CommandLine root = spec.root().commandLine();
    spec.commandLine().getOut().print(AutoComplete.bash(root.getCommandName(), root));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
