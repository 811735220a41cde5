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
    // By image, before the edit: the revision hash is only known once the controller sees the
    // template, and a running Ordinal may lower the partition before this test sees the new
    // revision. A pod created meanwhile was simulated Ready (a rollback test once found its canary
    // pod Ready on the broken revision that way). By revision too, for callers that look it up.
    String before = h.sts().getStatus().getUpdateRevision();
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
