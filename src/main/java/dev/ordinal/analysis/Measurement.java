package dev.ordinal.analysis;

import java.time.Instant;

/**
 * One measurement as shown by {@code ordinal status}: when, the value Prometheus returned (as text,
 * e.g. {@code [0.012, NaN]}; empty on error) and why it was classified the way it was.
 */
public record Measurement(Instant time, MeasurementPhase phase, String value, String message) {}
