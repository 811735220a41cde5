/**
 * The rollout decision engine: given the rollout spec from Git, the state Ordinal persisted on the
 * StatefulSet and one observation of the cluster, {@link dev.ordinal.rollout.RolloutEngine#decide}
 * returns the single next {@link dev.ordinal.rollout.Action}. Pure: no I/O, no clock, no Kubernetes
 * client types, so adapters map the cluster onto the small records here and the executor applies
 * the action.
 */
package dev.ordinal.rollout;
