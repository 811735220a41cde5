package dev.ordinal.rollout;

/**
 * How a StatefulSet stands, read from its spec and the controller's status the way {@code kubectl
 * rollout status} and kstatus read it: the one health function that the engine, {@code ordinal
 * status} and metrics share. It says nothing of Ordinal's rollout (the state's phase does); it says
 * whether the controller is done with what the spec asks.
 *
 * @param ready pods Ready ({@code status.readyReplicas})
 * @param updated pods on the update revision ({@code status.updatedReplicas})
 */
public record Health(Status status, String message, int replicas, int ready, int updated) {

  /** The StatefulSet's standing. */
  public enum Status {
    /** The controller has not observed the latest spec: nothing it reports is current. */
    NOT_OBSERVED("Unknown"),
    /** Pods are moving to the update revision. */
    UPDATING("Updating"),
    /** A new revision exists but the partition holds every pod it covers back. */
    HELD("Held"),
    /** Up to date, but not every pod is Ready. */
    UNAVAILABLE("Unavailable"),
    /** Every pod is on the update revision the partition allows, and Ready. */
    HEALTHY("Healthy");

    private final String displayName;

    Status(String displayName) {
      this.displayName = displayName;
    }

    public String displayName() {
      return displayName;
    }
  }

  /** The health of a StatefulSet as the view shows it. */
  public static Health of(StatefulSetView sts) {
    int replicas = sts.replicas();
    int ready = sts.readyReplicas();
    int updated = sts.updatedReplicas();
    if (sts.observedGeneration() < sts.generation()) {
      return new Health(
          Status.NOT_OBSERVED,
          "the StatefulSet controller has not observed generation " + sts.generation() + " yet",
          replicas,
          ready,
          updated);
    }
    boolean newRevision = !sts.updateRevision().equals(sts.currentRevision());
    if (newRevision) {
      if (sts.strategy() == UpdateStrategy.ROLLING_UPDATE && sts.partition() > 0) {
        // A partitioned rollout is complete, as far as the controller goes, once the pods at or
        // above the partition run the update revision.
        int expected = Math.max(0, replicas - sts.partition());
        if (updated < expected) {
          return new Health(
              Status.UPDATING,
              updated + " of " + expected + " pods above partition " + sts.partition() + " updated",
              replicas,
              ready,
              updated);
        }
        if (expected == 0) {
          return new Health(
              Status.HELD,
              "revision "
                  + sts.updateRevision()
                  + " is held back: partition "
                  + sts.partition()
                  + " covers all "
                  + replicas
                  + " pods",
              replicas,
              ready,
              updated);
        }
      } else if (updated < replicas || sts.strategy() == UpdateStrategy.ON_DELETE) {
        return new Health(
            Status.UPDATING,
            updated + " of " + replicas + " pods updated to " + sts.updateRevision(),
            replicas,
            ready,
            updated);
      }
    }
    if (ready < replicas) {
      return new Health(
          Status.UNAVAILABLE, ready + " of " + replicas + " pods ready", replicas, ready, updated);
    }
    return new Health(Status.HEALTHY, "", replicas, ready, updated);
  }

  public boolean observed() {
    return status != Status.NOT_OBSERVED;
  }
}
