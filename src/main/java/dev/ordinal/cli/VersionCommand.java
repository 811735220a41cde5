package dev.ordinal.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "version",
    header = "Print Ordinal's version and the Java it runs on.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed"})
final class VersionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine()
        .getOut()
        .println("ordinal " + Main.version() + " (java " + Runtime.version() + ")");
    return 0;
  }
}
