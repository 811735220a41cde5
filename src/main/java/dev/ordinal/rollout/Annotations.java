package dev.ordinal.rollout;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The annotations Ordinal reads and writes on a StatefulSet. State and commands live on the object
 * itself so that {@code kubectl get -o yaml} shows the truth and {@code kubectl annotate} works as
 * well as Ordinal's CLI.
 */
public final class Annotations {
  /** Names the RolloutPolicy that governs a StatefulSet. */
  public static final String POLICY = dev.ordinal.manifest.RolloutPolicy.POLICY_ANNOTATION;

  /** The rollout state ({@link RolloutState#toJson()}), written with the change it goes with. */
  public static final String STATE = "ordinal.dev/rollout-state";

  /**
   * One annotation per pending command, e.g. {@code ordinal.dev/command-promote: "<when>"}; the
   * executor removes it in the same write as the action that answers it.
   */
  public static final String COMMAND_PREFIX = "ordinal.dev/command-";

  /**
   * Set by the Git applier, with the partition it raised, just before it applies a new pod
   * template: until the instant it holds, the engine leaves the partition alone, so a rollout in
   * flight cannot lower it between the hold and the template. Any write of the engine's ends it.
   */
  public static final String SYNC_HOLD = "ordinal.dev/sync-hold";

  /**
   * On a recreated StatefulSet's pod template: the commit whose recreate restarts the pods (as
   * {@code kubectl rollout restart} stamps {@code kubectl.kubernetes.io/restartedAt}). Written by
   * its own field manager, so the Git applier neither owns nor removes it.
   */
  public static final String RECREATED_AT = "ordinal.dev/recreated-at";

  /**
   * The Git commit whose pod template the StatefulSet carries, set by Ordinal's applier when the
   * template changes; the rollout state records it as the rollout's source.
   */
  public static final String TEMPLATE_COMMIT = "ordinal.dev/template-commit";

  /**
   * Set by the rollout side while a restore replaces volumes, in the same write as each of its
   * steps (value: the restore id and its step). The Git applier leaves a StatefulSet with this mark
   * alone: applying its replicas from Git would let the controller recreate a canary pod, and with
   * it an empty claim, before the restored claim exists.
   */
  public static final String RESTORE = "ordinal.dev/restore";

  private Annotations() {}

  /** The annotation key that carries {@code command}. */
  public static String commandKey(Command command) {
    return COMMAND_PREFIX + command.displayName();
  }

  /** The commands pending in a StatefulSet's annotations; unknown command names are ignored. */
  public static Set<Command> commands(Map<String, String> annotations) {
    Set<Command> commands = new TreeSet<>();
    if (annotations == null) {
      return commands;
    }
    for (String key : annotations.keySet()) {
      if (key.startsWith(COMMAND_PREFIX)) {
        Command.parse(key.substring(COMMAND_PREFIX.length())).ifPresent(commands::add);
      }
    }
    return commands;
  }

  /** The value of a pending command's annotation ({@code restore} carries a backup id). */
  public static Map<Command, String> commandArgs(Map<String, String> annotations) {
    Map<Command, String> args = new TreeMap<>();
    if (annotations == null) {
      return args;
    }
    for (Map.Entry<String, String> e : annotations.entrySet()) {
      if (e.getKey().startsWith(COMMAND_PREFIX)) {
        Command.parse(e.getKey().substring(COMMAND_PREFIX.length()))
            .ifPresent(c -> args.put(c, e.getValue() == null ? "" : e.getValue().trim()));
      }
    }
    return args;
  }

  /** The stored rollout state, if any. */
  public static Optional<String> state(Map<String, String> annotations) {
    return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(STATE));
  }
}
