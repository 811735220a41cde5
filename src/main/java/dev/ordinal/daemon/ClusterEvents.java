package dev.ordinal.daemon;

/** The port through which Ordinal posts Kubernetes Events about the objects it acts on. */
public interface ClusterEvents {
  /** Kubernetes Event types. */
  enum Type {
    NORMAL("Normal"),
    WARNING("Warning");

    private final String displayName;

    Type(String displayName) {
      this.displayName = displayName;
    }

    public String displayName() {
      return displayName;
    }
  }

  /** The object an Event is about. */
  record Involved(String kind, String namespace, String name, String uid) {}

  /**
   * Posts an Event; one identical to an Event posted in the last ten minutes raises that one's
   * count and last timestamp instead (see {@link EventSeries}). Failures are the implementation's
   * to log: an Event never holds up a rollout.
   */
  void post(Involved involved, Type type, String reason, String message);
}
