package dev.ordinal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.backup.BackupNames;
import dev.ordinal.backup.BackupSets;
import dev.ordinal.backup.VolumeSnapshot;
import dev.ordinal.kube.ClusterException;
import dev.ordinal.kube.KubeAccess;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.RolloutStateFormatException;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code ordinal backup list|create|restore|delete}: the VolumeSnapshot sets Ordinal takes before a
 * rollout. {@code create} and {@code restore} only record the request as a command annotation on
 * the StatefulSet, as the rollout commands do, so Ordinal carries them out with every step written
 * to the rollout state; {@code delete} refuses a set that a rollout or a restore still references.
 * Exit 0 done or requested, 1 no such backup or StatefulSet (or a refused delete), 2 usage error or
 * cluster unreachable.
 */
@CommandLine.Command(
    name = "backup",
    header = "List, take, restore or delete the VolumeSnapshot sets Ordinal takes before rollouts.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"2:no subcommand given"},
    subcommands = {
      BackupCommands.ListSets.class,
      BackupCommands.Create.class,
      BackupCommands.Restore.class,
      BackupCommands.Delete.class
    })
final class BackupCommands implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Tests pin the time; the CLI uses the wall clock. */
  static volatile Clock clock = Clock.systemUTC();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: list, create, restore or delete");
  }

  /** The table {@code list} prints, newest first. */
  static String table(List<BackupSets.Listed> sets, Instant now) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {"ID", "STATEFULSET", "REVISION", "COMMIT", "PVCS", "SIZE", "READY", "AGE"});
    List<BackupSets.Listed> sorted = new ArrayList<>(sets);
    sorted.sort(Comparator.comparing(BackupSets.Listed::createdAt).reversed());
    for (BackupSets.Listed set : sorted) {
      rows.add(
          new String[] {
            set.id(),
            set.statefulSet(),
            dash(set.revision()),
            set.commit().isEmpty()
                ? "-"
                : set.commit().substring(0, Math.min(8, set.commit().length())),
            Integer.toString(set.size()),
            size(set.snapshots()),
            set.error().isEmpty() ? set.readyCount() + "/" + set.size() : "failed: " + set.error(),
            age(Duration.between(set.createdAt(), now))
          });
    }
    return Tables.render(rows);
  }

  private static String dash(String s) {
    return s.isEmpty() ? "-" : s;
  }

  /** The sum of the snapshots' restore sizes, when every one is known. */
  static String size(List<VolumeSnapshot> snapshots) {
    BigDecimal bytes = BigDecimal.ZERO;
    for (VolumeSnapshot s : snapshots) {
      if (s.restoreSize().isEmpty()) {
        return "-";
      }
      bytes = bytes.add(Quantity.getAmountInBytes(new Quantity(s.restoreSize())));
    }
    if (snapshots.isEmpty()) {
      return "-";
    }
    String[] units = {"B", "Ki", "Mi", "Gi", "Ti", "Pi"};
    double value = bytes.doubleValue();
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return (value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.1f", value))
        + units[unit];
  }

  /** kubectl's ages: 45s, 12m, 5h, 3d. */
  static String age(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    if (s < 2 * 86400) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }

  /** The sets in a namespace, by id. */
  static Map<String, BackupSets.Listed> sets(KubeAccess access, String namespace) {
    try (KubeCluster cluster = access.cluster()) {
      return BackupSets.group(cluster.snapshots(namespace, Map.of()));
    } catch (RuntimeException e) {
      throw access.explain(e);
    }
  }

  /** The StatefulSet's rollout state, if it has a readable one. */
  static Optional<RolloutState> state(StatefulSet sts) {
    try {
      return Annotations.state(sts.getMetadata().getAnnotations()).map(RolloutState::fromJson);
    } catch (RolloutStateFormatException e) {
      return Optional.empty();
    }
  }

  /** Why the state still needs set {@code id}; empty when nothing references it. */
  static Optional<String> referencedBecause(RolloutState state, String id) {
    if (state.restoring().filter(r -> r.backupId().equals(id)).isPresent()) {
      return Optional.of("a restore from it is in progress");
    }
    Optional<RolloutState.Backup> backup = state.lastBackup().filter(b -> b.id().equals(id));
    if (backup.isPresent() && backup.get().stage().inFlight()) {
      return Optional.of("it is being taken");
    }
    if (backup.isPresent()
        && backup.get().stage() == RolloutState.BackupStage.READY
        && state.phase() != Phase.HEALTHY) {
      return Optional.of(
          "the rollout it was taken for is " + state.phase().displayName() + " and may restore it");
    }
    return Optional.empty();
  }

  abstract static class Base implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin ClusterOptions cluster;

    abstract int run(KubeAccess access, String namespace, PrintWriter out, PrintWriter err);

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try (KubeAccess access = cluster.connect()) {
        return run(access, cluster.namespace(access), out, err);
      } catch (ClusterException e) {
        err.println(e.getMessage());
        return 2;
      } finally {
        out.flush();
        err.flush();
      }
    }
  }

  @CommandLine.Command(
      name = "list",
      header = "List the backups (VolumeSnapshot sets) in a namespace, newest first.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:listed (none is fine)", "2:usage error, or the cluster is unreachable"},
      description =
          "Columns: ID, STATEFULSET, REVISION (the one the snapshots hold), COMMIT, PVCS, SIZE"
              + " (their restore sizes, when all are known), READY (snapshots readyToUse out of"
              + " all, or the error of a failed set) and AGE.")
  static final class ListSets extends Base {
    @Parameters(arity = "0..1", paramLabel = "NAME", description = "Only this StatefulSet's.")
    String name;

    @Override
    int run(KubeAccess access, String namespace, PrintWriter out, PrintWriter err) {
      List<BackupSets.Listed> sets =
          sets(access, namespace).values().stream()
              .filter(s -> name == null || s.statefulSet().equals(name))
              .toList();
      if (sets.isEmpty()) {
        err.println(
            "no backups in namespace "
                + namespace
                + (name == null ? "" : " for StatefulSet " + name));
        return 0;
      }
      out.print(table(sets, clock.instant()));
      return 0;
    }
  }

  @CommandLine.Command(
      name = "create",
      header = "Take a backup of a StatefulSet now, while no rollout is in progress.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:requested",
        "1:no such StatefulSet",
        "2:usage error, not allowed, or the cluster is unreachable"
      },
      description = {
        "Take a backup of a StatefulSet now, outside a rollout, with its policy's hooks.",
        "Sets the annotation ordinal.dev/command-backup on the StatefulSet."
      })
  static final class Create extends RolloutCommands.NamedBase {
    @Override
    Command command() {
      return Command.BACKUP;
    }
  }

  @CommandLine.Command(
      name = "restore",
      header = "Restore the claims of the pods that ran a rolled-back revision from a backup.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:requested",
        "1:no such backup or StatefulSet, or the backup is not complete",
        "2:usage error, not allowed, or the cluster is unreachable"
      },
      description = {
        "Restore the volumes of the pods that ran a rolled-back revision from backup ID.",
        "Sets the annotation ordinal.dev/command-restore: ID on its StatefulSet; the policy must"
            + " say restoreOnRollback: manual or auto."
      })
  static final class Restore extends Base {
    @Parameters(index = "0", paramLabel = "ID", description = "The backup, as 'backup list' shows.")
    String id;

    @Override
    int run(KubeAccess access, String namespace, PrintWriter out, PrintWriter err) {
      BackupSets.Listed set = sets(access, namespace).get(id);
      if (set == null) {
        err.println("no backup " + id + " in namespace " + namespace);
        return 1;
      }
      if (!set.ready()) {
        err.println(
            "backup "
                + id
                + " is not complete ("
                + set.readyCount()
                + "/"
                + set.size()
                + " readyToUse"
                + (set.error().isEmpty() ? "" : "; " + set.error())
                + "): it cannot be restored");
        return 1;
      }
      ObjectNode patch = JSON.createObjectNode();
      patch
          .putObject("metadata")
          .putObject("annotations")
          .put(Annotations.commandKey(Command.RESTORE), id);
      String key = namespace + "/" + set.statefulSet();
      KubeAccess.PatchOutcome outcome =
          access.mergePatch(namespace, set.statefulSet(), patch.toString());
      if (outcome instanceof KubeAccess.PatchOutcome.NotFound) {
        err.println("StatefulSet " + key + " of backup " + id + " not found");
        return 1;
      }
      if (outcome instanceof KubeAccess.PatchOutcome.Forbidden forbidden) {
        err.println("not allowed to annotate StatefulSet " + key + ": " + forbidden.message());
        return 2;
      }
      out.println(
          "restore from backup "
              + id
              + " requested for StatefulSet "
              + key
              + "; Ordinal acts on it at its next decision");
      StatefulSet sts = ((KubeAccess.PatchOutcome.Patched) outcome).sts();
      state(sts)
          .filter(s -> s.phase() != Phase.DEGRADED && s.phase() != Phase.ROLLED_BACK)
          .ifPresent(
              s ->
                  err.println(
                      "note: Ordinal will likely ignore it: restores undo a rolled-back revision's"
                          + " writes, and "
                          + key
                          + " is "
                          + s.phase().displayName()));
      return 0;
    }
  }

  @CommandLine.Command(
      name = "delete",
      header = "Delete a backup: its VolumeSnapshots and hook Jobs.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:deleted",
        "1:no such backup, or a rollout or a restore still references it",
        "2:usage error, or the cluster is unreachable"
      },
      description = {
        "Delete backup ID: its VolumeSnapshots and hook Jobs.",
        "Refused while a rollout or a restore still references it."
      })
  static final class Delete extends Base {
    @Parameters(index = "0", paramLabel = "ID", description = "The backup, as 'backup list' shows.")
    String id;

    @Override
    int run(KubeAccess access, String namespace, PrintWriter out, PrintWriter err) {
      BackupSets.Listed set = sets(access, namespace).get(id);
      if (set == null) {
        err.println("no backup " + id + " in namespace " + namespace);
        return 1;
      }
      Optional<String> why =
          access
              .statefulSet(namespace, set.statefulSet())
              .flatMap(BackupCommands::state)
              .flatMap(s -> referencedBecause(s, id));
      if (why.isPresent()) {
        err.println(
            "not deleting backup "
                + id
                + " of StatefulSet "
                + namespace
                + "/"
                + set.statefulSet()
                + ": "
                + why.get());
        return 1;
      }
      try (KubeCluster cluster = access.cluster()) {
        for (VolumeSnapshot s : set.snapshots()) {
          cluster.deleteSnapshot(namespace, s.name());
        }
        for (String job : BackupNames.hookJobs(set.statefulSet(), id)) {
          cluster.deleteJob(namespace, job);
        }
      } catch (RuntimeException e) {
        throw access.explain(e);
      }
      out.println("deleted backup " + id + " (" + set.snapshots().size() + " VolumeSnapshots)");
      return 0;
    }
  }
}
