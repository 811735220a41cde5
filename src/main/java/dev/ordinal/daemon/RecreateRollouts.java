package dev.ordinal.daemon;

import java.util.Map;

/**
 * The port through which a recreate that rolls the pods ({@link Recreator}) makes the new
 * StatefulSet adopt them and then gives it a new revision to roll out.
 */
public interface RecreateRollouts {

  /**
   * Adds {@code labels} to the pod (a merge patch: its other labels stay), only if its uid still is
   * {@code uid}.
   */
  Recreates.Outcome relabelPod(
      String namespace, String pod, String uid, Map<String, String> labels);

  /**
   * Sets the pod template annotation {@code ordinal.dev/recreated-at} to {@code stamp}, and the
   * partition when {@code partition} is not null, in one write with a field manager of its own
   * ({@value #FIELD_MANAGER}), so that the Git applier, which never sends them, neither owns nor
   * removes them. Only if the StatefulSet's uid still is {@code uid}.
   */
  Recreates.Outcome restart(
      String namespace, String name, String uid, String stamp, Integer partition);

  /** The field manager of {@link #restart}. */
  String FIELD_MANAGER = "ordinal-recreate";
}
