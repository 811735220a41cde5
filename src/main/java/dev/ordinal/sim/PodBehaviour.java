package dev.ordinal.sim;

/** What a simulated pod does once created, as a kubelet would make it look. */
public enum PodBehaviour {
  /** Running and Ready after the ready delay. */
  READY,
  /** Running, never Ready (a failing readiness probe). */
  NEVER_READY,
  /** Never Ready; its restart count grows (CrashLoopBackOff). */
  CRASH_LOOP,
  /** Ready after the delay, then not Ready with a restart after the fail delay. */
  READY_THEN_FAIL
}
