package dev.ordinal.daemon;

import dev.ordinal.testkit.PodSimulator.Behaviour;

/**
 * Applies a template whose pods never become Ready, marking the revision bad before any pod moves.
 */
final class StatefulSetsHold {
  private StatefulSetsHold() {}

  static String holdNeverReady(RolloutHarness h, String image) {
    return holdBehaving(h, image, Behaviour.NEVER_READY);
  }

  static String holdBehaving(RolloutHarness h, String image, Behaviour behaviour) {
    // The revision hash is only known once the controller sees the template; the partition hold
    // keeps pods from moving until Ordinal lowers it, by which time the simulator knows.
    String before = h.sts().getStatus().getUpdateRevision();
    // By image first: a running controller may lower the partition before the new revision is
    // seen here, and a pod created meanwhile was simulated Ready (a rollback test once found its
    // canary pod Ready on the broken revision that way).
    h.sim.behaveForImage(image, behaviour);
    dev.ordinal.testkit.StatefulSets.edit(
        h.client,
        h.ns,
        h.name,
        s -> {
          s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
          s.getSpec()
              .getUpdateStrategy()
              .getRollingUpdate()
              .setPartition(s.getSpec().getReplicas());
        });
    String[] rev = new String[1];
    dev.ordinal.testkit.StatefulSets.await(
        "new revision",
        RolloutHarness.TIMEOUT,
        () -> {
          String r = h.sts().getStatus().getUpdateRevision();
          if (!before.equals(r)) {
            rev[0] = r;
            h.sim.behaveForRevision(r, behaviour);
            return true;
          }
          return false;
        },
        () -> "");
    return rev[0];
  }
}
