package dev.ordinal.testkit;

/** A namespace that belongs to one test class, so classes can share a control plane. */
public record TestNamespace(String name) {}
