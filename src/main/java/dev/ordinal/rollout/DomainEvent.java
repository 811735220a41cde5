package dev.ordinal.rollout;

/**
 * Everything Ordinal decides, as data: rollout decisions ({@link RolloutEvent}) and Git syncs
 * ({@link SyncEvent}). Subscribers (logs, Kubernetes Events, metrics, the status page) render them;
 * nothing parses their text back.
 */
public sealed interface DomainEvent permits RolloutEvent, SyncEvent, RecreateEvent {}
