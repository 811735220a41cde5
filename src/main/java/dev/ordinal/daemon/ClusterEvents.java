package dev.ordinal.daemon;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;

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

  /**
   * Posts an Event about a StatefulSet. Failures are the implementation's to log: an Event never
   * holds up a rollout.
   */
  void post(StatefulSet involved, Type type, String reason, String message);
}
