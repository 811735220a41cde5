/**
 * The planner: compares desired objects (from Git) with live objects (from the API server) and
 * says, per object, what applying Git would do. Pure code, no client, no I/O.
 *
 * <p>Entry points: {@link dev.ordinal.plan.Planner#plan} for a whole app, {@link
 * dev.ordinal.plan.Planner#planObject} for one object, {@link dev.ordinal.plan.Plan#unifiedDiff}
 * for {@code ordinal diff}. The apply side should send {@link
 * dev.ordinal.plan.Planner#desiredAsApplied} so that it applies exactly what was planned.
 */
package dev.ordinal.plan;
