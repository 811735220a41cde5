/**
 * The rollout decision engine: given the rollout spec from Git, the state Ordinal persisted on the
 * StatefulSet and one observation of the cluster, {@link dev.ordinal.rollout.RolloutEngine#decide}
 * returns the single next {@link dev.ordinal.rollout.Action}. Pure: no I/O, no clock, no Kubernetes
 * client types, so adapters map the cluster onto the small records here and the executor applies
 * the action.
 *
 * <h2>Executor contract</h2>
 *
 * <ul>
 *   <li>Before applying a new pod template from Git to a RollingUpdate StatefulSet, set {@code
 *       partition = replicas} in the same update (the hold). The engine re-holds if this was
 *       missed, but a pod may then move early.
 *   <li>Persist {@link dev.ordinal.rollout.Action#state()} as {@code ordinal.dev/rollout-state}
 *       ({@link dev.ordinal.rollout.RolloutState#toJson()}) whenever it differs from the stored
 *       one, and remove the annotations of {@link dev.ordinal.rollout.Action#consumes()} in the
 *       same write, with the resourceVersion read for the observation (optimistic concurrency).
 *   <li>{@code SetPartition}: partition, state and consumed commands in one StatefulSet update.
 *   <li>{@code DeletePod}: write the state, then delete the pod if it still has the given revision.
 *   <li>{@code StartAnalysis} / {@code StopAnalysis}: idempotent by run id; report a run that
 *       exists without a result as {@link dev.ordinal.rollout.AnalysisVerdict#RUNNING}.
 *   <li>{@code UpdateState}: decide again at once, on the object as its write leaves it. The write
 *       may be carried into the next decision's write (one request, under the same resourceVersion,
 *       before any pod deletion or analysis request of that decision) and goes alone when the next
 *       decision is a {@code Wait}. {@code Wait}: decide again after {@code recheckAfter} or on the
 *       next watch event, whichever is first.
 *   <li>Post a Kubernetes Event from {@link dev.ordinal.rollout.Action#event()} for every action
 *       but {@code Wait}; log {@link dev.ordinal.rollout.Action#logLine()} for every decision.
 * </ul>
 */
package dev.ordinal.rollout;
