package dev.ordinal.testkit;

/** A namespace that belongs to one test method, so tests can share a control plane. */
public record TestNamespace(String name) {}
