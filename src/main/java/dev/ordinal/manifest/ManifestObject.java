package dev.ordinal.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A Kubernetes object read from the tree, with the place it was read from.
 *
 * @param resource a typed fabric8 model object for well-known kinds, otherwise a {@link
 *     io.fabric8.kubernetes.api.model.GenericKubernetesResource}
 */
public record ManifestObject(HasMetadata resource, SourceLocation source) {}
