package dev.ordinal.rollout;

import dev.ordinal.rollout.RecreateObservation.Claim;
import dev.ordinal.rollout.RecreateObservation.Live;
import dev.ordinal.rollout.RecreateState.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides the next step of growing a StatefulSet's volumes by recreating it: check every claim can
 * grow, take the backup the policy asks for, patch each claim and wait until it grew (or its file
 * system waits for a pod to grow it), orphan-delete the StatefulSet, create it again from Git and
 * carry Ordinal's state over to it. Pure: {@code decide(spec, observation) → action}, no clock, no
 * I/O, so every branch is a fast test.
 *
 * <p>Until the delete, any failure leaves the StatefulSet as it was (claims already patched keep
 * their new size, which is no loss). From the delete on there is no failing: the StatefulSet is
 * created again whatever happens, so no pod stays without a controller longer than it must.
 */
public final class RecreateDecisions {

  private RecreateDecisions() {}

  public static RecreateAction decide(RecreateSpec spec, RecreateObservation obs) {
    Optional<RecreateState> recorded = obs.recorded();
    if (recorded.isPresent()) {
      RecreateState state = recorded.get();
      if (state.stage() == Stage.RESTARTING) {
        // The new StatefulSet exists: whatever Git says now, its pods are rolled as recorded.
        return restarting(obs, state);
      }
      if (state.stage().pastTheDelete()) {
        // Whatever Git says now, a StatefulSet that may be gone is created again first.
        return pastTheDelete(obs, state);
      }
      boolean same = state.target().equals(spec.target());
      if (same && state.stage() == Stage.FAILED) {
        if (state.commit().equals(spec.commit())) {
          return new RecreateAction.Refuse(state.message() + " (push a new commit to try again)");
        }
      } else if (same
          && obs.statefulSet().map(Live::uid).filter(state.statefulSetUid()::equals).isPresent()) {
        return resume(spec, obs, state);
      }
    }
    return start(spec, obs);
  }

  private static RecreateAction start(RecreateSpec spec, RecreateObservation obs) {
    if (obs.statefulSet().isEmpty()) {
      return new RecreateAction.Refuse(
          "StatefulSet " + spec.namespace() + "/" + spec.name() + " is gone; nothing to recreate");
    }
    Live sts = obs.statefulSet().get();
    if (spec.roll().isPresent() && sts.rolling()) {
      return new RecreateAction.Refuse(
          "StatefulSet "
              + spec.namespace()
              + "/"
              + spec.name()
              + " is rolling out (its current and update revisions differ); the recreate that"
              + " rolls its pods starts once every pod runs one revision");
    }
    Map<String, String> grow = new TreeMap<>();
    Map<String, List<String>> byClass = new TreeMap<>();
    for (Claim claim : obs.claims()) {
      RecreateSpec.Size target = spec.growTo().get(claim.template());
      if (target == null) {
        continue;
      }
      if (claim.storageClass().isEmpty()) {
        return new RecreateAction.Refuse(
            "PersistentVolumeClaim "
                + claim.name()
                + " names no StorageClass, so it cannot be expanded; grow it by hand or revert"
                + " the size in Git");
      }
      byClass.computeIfAbsent(claim.storageClass(), c -> new ArrayList<>()).add(claim.name());
      if (claim.requestedBytes() < target.bytes()) {
        if (!claim.bound()) {
          return new RecreateAction.Refuse(
              "PersistentVolumeClaim "
                  + claim.name()
                  + " is not Bound, and Kubernetes expands only bound claims; wait until it is"
                  + " bound, or revert the size in Git");
        }
        grow.put(claim.name(), target.text());
      }
    }
    for (Map.Entry<String, List<String>> entry : byClass.entrySet()) {
      Boolean allows = obs.expansion().get(entry.getKey());
      if (allows == null) {
        return new RecreateAction.Refuse(
            "StorageClass "
                + entry.getKey()
                + " of "
                + String.join(", ", entry.getValue())
                + " does not exist, so Ordinal cannot tell whether the claims can grow");
      }
      if (!allows) {
        return new RecreateAction.Refuse(
            "StorageClass "
                + entry.getKey()
                + " does not allow volume expansion, so "
                + String.join(", ", entry.getValue())
                + " cannot grow: set allowVolumeExpansion: true on it if its driver can expand"
                + " volumes, or revert the size in Git");
      }
    }
    // Nothing grows when only the pods are rolled: the rollout takes the policy's backup itself.
    boolean backup = spec.backup().isPresent() && !spec.growTo().isEmpty();
    String backupId = backup ? BackupDecisions.idBase(spec.name(), obs.now()) : "";
    Optional<RecreateSpec.Roll> roll = spec.roll();
    RecreateState state =
        new RecreateState(
            spec.commit(),
            spec.target(),
            backup
                ? Stage.BACKING_UP
                : !spec.growTo().isEmpty() || roll.isEmpty() ? Stage.RESIZING : Stage.RELABELLING,
            sts.uid(),
            grow,
            backupId,
            sts.ordinalAnnotations(),
            // Created with no partition when the pods are rolled: the template is the one that
            // runs, so nothing moves, and the restart writes the hold under its own field manager.
            roll.isPresent() ? null : sts.partition(),
            obs.now(),
            obs.now(),
            null,
            roll.map(RecreateSpec.Roll::selector).orElse(Map.of()),
            roll.map(RecreateSpec.Roll::stamp).orElse(null),
            roll.map(RecreateSpec.Roll::partition).orElse(null),
            null);
    return new RecreateAction.Record(state, "recreate of " + spec.target() + " started");
  }

  private static RecreateAction resume(
      RecreateSpec spec, RecreateObservation obs, RecreateState state) {
    return switch (state.stage()) {
      case BACKING_UP -> backingUp(spec, obs, state);
      case RESIZING -> resizing(spec, obs, state);
      case RELABELLING -> relabelling(obs, state);
      default -> throw new IllegalStateException("not resumable here: " + state.stage());
    };
  }

  private static RecreateAction backingUp(
      RecreateSpec spec, RecreateObservation obs, RecreateState state) {
    Optional<RecreateObservation.BackupStatus> backup = obs.backup();
    if (backup.isEmpty()) {
      List<String> claims = new ArrayList<>();
      obs.claims().stream()
          .filter(c -> spec.growTo().containsKey(c.template()))
          .forEach(c -> claims.add(c.name()));
      return new RecreateAction.TakeBackup(state.backupId(), claims, state);
    }
    if (backup.get().failure().isPresent()) {
      return new RecreateAction.Record(
          state.failed(
              "backup " + state.backupId() + " failed: " + backup.get().failure().get(), obs.now()),
          "backup failed");
    }
    if (backup.get().complete()) {
      return new RecreateAction.Record(
          state.at(Stage.RESIZING, obs.now()), "backup " + state.backupId() + " is ready");
    }
    Duration timeout = spec.backup().map(RecreateSpec.Backup::timeout).orElse(spec.resizeTimeout());
    if (overdue(state, obs.now(), timeout)) {
      return new RecreateAction.Record(
          state.failed(
              "backup " + state.backupId() + " was not ready within " + timeout, obs.now()),
          "backup timed out");
    }
    return new RecreateAction.Wait(
        "waiting for backup " + state.backupId() + " to be readyToUse", state);
  }

  private static RecreateAction resizing(
      RecreateSpec spec, RecreateObservation obs, RecreateState state) {
    List<String> growing = new ArrayList<>();
    for (Claim claim : obs.claims()) {
      RecreateSpec.Size target = spec.growTo().get(claim.template());
      if (target == null || !state.claims().containsKey(claim.name())) {
        continue;
      }
      if (claim.requestedBytes() < target.bytes()) {
        return new RecreateAction.GrowClaim(claim.name(), claim.uid(), target.text(), state);
      }
      if (claim.capacityBytes() < target.bytes() && !claim.fileSystemResizePending()) {
        growing.add(claim.name());
      }
    }
    if (growing.isEmpty()) {
      return new RecreateAction.Record(
          state.at(state.rollsPods() ? Stage.RELABELLING : Stage.DELETING, obs.now()),
          spec.growTo().isEmpty() ? "no claim grows" : "every claim grew to " + spec.target());
    }
    if (overdue(state, obs.now(), spec.resizeTimeout())) {
      return new RecreateAction.Record(
          state.failed(
              String.join(", ", new TreeSet<>(growing))
                  + " did not grow within "
                  + spec.resizeTimeout()
                  + " (no capacity reported, no FileSystemResizePending); the StatefulSet was"
                  + " left as it was, and claims already patched keep their new request",
              obs.now()),
          "resize timed out");
    }
    return new RecreateAction.Wait(
        "waiting for " + String.join(", ", new TreeSet<>(growing)) + " to grow", state);
  }

  private static RecreateAction pastTheDelete(RecreateObservation obs, RecreateState state) {
    Optional<Live> sts = obs.statefulSet();
    boolean old = sts.map(Live::uid).filter(state.statefulSetUid()::equals).isPresent();
    if (state.stage() == Stage.DELETING) {
      if (old && sts.get().terminating()) {
        return new RecreateAction.Wait(
            "waiting for the garbage collector to orphan the pods and remove the StatefulSet",
            state);
      }
      if (old) {
        return new RecreateAction.OrphanDelete(state.statefulSetUid(), state);
      }
      return new RecreateAction.Record(
          state.at(Stage.CREATING, obs.now()), "the old StatefulSet is gone");
    }
    if (sts.isEmpty()) {
      return new RecreateAction.Create(state.partition(), state);
    }
    if (old) {
      // Recorded CREATING yet the old one is there: the delete did not happen. Delete it first.
      return new RecreateAction.Record(
          state.at(Stage.DELETING, obs.now()), "the old StatefulSet is still there");
    }
    return new RecreateAction.Finish(
        sts.get().uid(),
        state.partition(),
        state.carried(),
        state.rollsPods() ? state.at(Stage.RESTARTING, obs.now()) : state);
  }

  /**
   * Before the delete, every pod the old StatefulSet owns ({@code <name>-<ordinal>}) gets the new
   * selector's labels, one pod per action, so that the new StatefulSet adopts each. Its old labels
   * stay: the old selector still matches until the delete.
   */
  private static RecreateAction relabelling(RecreateObservation obs, RecreateState state) {
    for (RecreateObservation.PodLabels pod : obs.pods()) {
      Map<String, String> missing = new TreeMap<>();
      state
          .selector()
          .forEach(
              (key, value) -> {
                if (!value.equals(pod.labels().get(key))) {
                  missing.put(key, value);
                }
              });
      if (!missing.isEmpty()) {
        return new RecreateAction.RelabelPod(pod.name(), pod.uid(), missing, state);
      }
    }
    return new RecreateAction.Record(
        state.at(Stage.DELETING, obs.now()), "every pod carries the new selector's labels");
  }

  /**
   * The new StatefulSet runs the pods: once its controller has observed it (so its current revision
   * is the template that runs, the one a rollback goes back to), stamp its pod template.
   */
  private static RecreateAction restarting(RecreateObservation obs, RecreateState state) {
    Optional<Live> sts = obs.statefulSet();
    if (sts.isEmpty()) {
      return new RecreateAction.Wait(
          "the recreated StatefulSet is gone; waiting for it to be created again", state);
    }
    if (sts.get().recreatedAt().equals(state.restartStamp())) {
      return new RecreateAction.Forget(
          "the pod template carries " + state.restartStamp() + "; the rollout moves the pods",
          state);
    }
    if (!sts.get().observed()) {
      // Stamped before the controller's first look, the new template would become the current
      // revision as well, and a rollback would have nothing older to return the pods to.
      return new RecreateAction.Wait(
          "waiting for the StatefulSet controller to observe the recreated StatefulSet", state);
    }
    return new RecreateAction.Restart(
        sts.get().uid(), state.restartStamp(), state.restartPartition(), state);
  }

  private static boolean overdue(RecreateState state, Instant now, Duration timeout) {
    return state.stageSince() != null && now.isAfter(state.stageSince().plus(timeout));
  }
}
