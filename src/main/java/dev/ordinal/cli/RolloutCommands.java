package dev.ordinal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.kube.ClusterException;
import dev.ordinal.kube.KubeAccess;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.RolloutStateFormatException;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The rollout commands ({@code promote}, {@code abort}, {@code retry}, {@code pause}, {@code
 * resume}), named as in {@code kubectl argo rollouts}. Each only records the request as the
 * annotation {@code ordinal.dev/command-<name>: <UTC time>} on the StatefulSet, exactly what {@code
 * kubectl annotate} would do, so both ways work the same; Ordinal answers it at its next decision
 * and removes the annotation in the same write. Exit 0 requested, 1 no such StatefulSet, 2 usage
 * error or cluster unreachable.
 */
final class RolloutCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Tests pin the time; the CLI uses the wall clock. */
  static volatile Clock clock = Clock.systemUTC();

  private RolloutCommands() {}

  /** The JSON merge patch that sets the command annotation; no resourceVersion, so no conflict. */
  static String patch(Command command, Instant at) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("metadata")
        .putObject("annotations")
        .put(Annotations.commandKey(command), at.truncatedTo(ChronoUnit.SECONDS).toString());
    return root.toString();
  }

  /**
   * Why Ordinal would ignore {@code command} in {@code state}, as its engine decides it (it
   * consumes an inapplicable command with a CommandIgnored event); empty when it applies or we
   * cannot tell. Only a hint: the state may move on before Ordinal's next decision.
   */
  static Optional<String> ignoredBecause(Command command, RolloutState state) {
    boolean stepping = state.phase().stepping();
    switch (command) {
      case ABORT:
      case PROMOTE:
      case PROMOTE_FULL:
        return stepping
            ? Optional.empty()
            : Optional.of("no rollout in progress (" + state.phase().displayName() + ")");
      case PAUSE:
        if (!stepping) {
          return Optional.of("no rollout in progress (" + state.phase().displayName() + ")");
        }
        return state.userPaused() ? Optional.of("already paused") : Optional.empty();
      case RESUME:
        return stepping && state.userPaused()
            ? Optional.empty()
            : Optional.of("not paused by a user");
      case RETRY:
        if (state.phase() == Phase.ROLLED_BACK
            && !state.targetRevision().equals(state.stableRevision())) {
          return Optional.empty();
        }
        if (state.phase() == Phase.DEGRADED) {
          return Optional.of("a rollback is in progress; retry once it has finished");
        }
        return state.failedRevisions().isEmpty()
            ? Optional.of("nothing to retry")
            : Optional.empty();
      case BACKUP:
        return state.phase() == Phase.HEALTHY
            ? Optional.empty()
            : Optional.of(
                "backups are taken by hand only while Healthy ("
                    + state.phase().displayName()
                    + ")");
      default:
        return Optional.empty();
    }
  }

  /** What all five commands share: a StatefulSet name and how to reach the cluster. */
  abstract static class Base implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin ClusterOptions cluster;

    /** The command to record. */
    abstract Command command();

    /** The StatefulSet named on the command line. */
    abstract String name();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String name = cluster.statefulSetName(spec.commandLine(), name());
      Command command = command();
      try (KubeAccess client = cluster.connect()) {
        String namespace = cluster.namespace(client);
        String key = namespace + "/" + name;
        KubeAccess.PatchOutcome outcome =
            client.mergePatch(namespace, name, patch(command, clock.instant()));
        if (outcome instanceof KubeAccess.PatchOutcome.NotFound) {
          err.println("StatefulSet " + key + " not found");
          return 1;
        }
        if (outcome instanceof KubeAccess.PatchOutcome.Forbidden forbidden) {
          err.println("not allowed to annotate StatefulSet " + key + ": " + forbidden.message());
          return 2;
        }
        StatefulSet patched = ((KubeAccess.PatchOutcome.Patched) outcome).sts();
        out.println(
            command.displayName()
                + " requested for StatefulSet "
                + key
                + "; Ordinal acts on it at its next decision");
        out.flush();
        note(command, patched)
            .ifPresent(
                note -> {
                  err.println("note: " + note);
                  err.flush();
                });
        return 0;
      } catch (ClusterException e) {
        err.println(e.getMessage());
        return 2;
      }
    }
  }

  /** A note for the user when the command will probably not do what they expect. */
  static Optional<String> note(Command command, StatefulSet sts) {
    Optional<String> json = Annotations.state(sts.getMetadata().getAnnotations());
    if (json.isEmpty()) {
      return Optional.of(
          "Ordinal has recorded no rollout state on this StatefulSet yet; the command waits until it manages it");
    }
    try {
      return ignoredBecause(command, RolloutState.fromJson(json.get()))
          .map(why -> "Ordinal will likely ignore it: " + why);
    } catch (RolloutStateFormatException e) {
      return Optional.empty(); // 'ordinal status' explains an unreadable state
    }
  }

  /**
   * The commands that take one StatefulSet name (all but retry, which also accepts 'rollout NAME').
   */
  abstract static class NamedBase extends Base {
    @Parameters(
        index = "0",
        paramLabel = "NAME",
        description = "The StatefulSet (name or namespace/name).")
    String name;

    @Override
    String name() {
      return name;
    }
  }

  @CommandLine.Command(
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:requested",
        "1:no such StatefulSet",
        "2:usage error, not allowed, or the cluster is unreachable"
      },
      name = "promote",
      description = {
        "Move a paused or gated rollout on to its next step (like 'kubectl argo rollouts promote').",
        "--full skips the remaining steps and analysis and promotes every pod.",
        "Sets the annotation ordinal.dev/command-promote (or -promote-full) on the StatefulSet."
      })
  static final class Promote extends NamedBase {
    @Option(names = "--full", description = "Skip the remaining steps: promote all pods now.")
    boolean full;

    @Override
    Command command() {
      return full ? Command.PROMOTE_FULL : Command.PROMOTE;
    }
  }

  @CommandLine.Command(
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:requested",
        "1:no such StatefulSet",
        "2:usage error, not allowed, or the cluster is unreachable"
      },
      name = "abort",
      description = {
        "Stop the rollout and roll the pods back to the stable revision (like 'kubectl argo rollouts abort').",
        "Sets the annotation ordinal.dev/command-abort on the StatefulSet."
      })
  static final class Abort extends NamedBase {
    @Override
    Command command() {
      return Command.ABORT;
    }
  }

  @CommandLine.Command(
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:requested",
        "1:no such StatefulSet",
        "2:usage error, not allowed, or the cluster is unreachable"
      },
      name = "retry",
      description = {
        "Roll out again a revision that failed or was aborted (like 'kubectl argo rollouts retry rollout').",
        "Sets the annotation ordinal.dev/command-retry on the StatefulSet."
      })
  static final class Retry extends Base {
    // 'ordinal retry rollout NAME' is accepted too, as Argo users type it.
    @Parameters(
        arity = "1..2",
        paramLabel = "NAME",
        description = "The StatefulSet (name or namespace/name); 'rollout NAME' also works.")
    List<String> words;

    @Override
    Command command() {
      return Command.RETRY;
    }

    @Override
    String name() {
      if (words.size() == 2) {
        if (!words.get(0).equals("rollout")) {
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              "expected 'retry NAME' or 'retry rollout NAME', not "
                  + Text.quoted("retry " + String.join(" ", words)));
        }
        return words.get(1);
      }
      return words.get(0);
    }
  }

  @CommandLine.Command(
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:requested",
        "1:no such StatefulSet",
        "2:usage error, not allowed, or the cluster is unreachable"
      },
      name = "pause",
      description = {
        "Hold the rollout at its current step until 'ordinal resume' (like 'kubectl argo rollouts pause').",
        "Sets the annotation ordinal.dev/command-pause on the StatefulSet."
      })
  static final class Pause extends NamedBase {
    @Override
    Command command() {
      return Command.PAUSE;
    }
  }

  @CommandLine.Command(
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:requested",
        "1:no such StatefulSet",
        "2:usage error, not allowed, or the cluster is unreachable"
      },
      name = "resume",
      description = {
        "Lift a user's pause; the rollout goes on from its current step.",
        "Sets the annotation ordinal.dev/command-resume on the StatefulSet."
      })
  static final class Resume extends NamedBase {
    @Override
    Command command() {
      return Command.RESUME;
    }
  }
}
