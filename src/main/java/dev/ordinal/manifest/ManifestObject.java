package dev.ordinal.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A Kubernetes object read from the tree, with the place it was read from.
 *
 * <p>The resource is shared with the loader's cache and with later loads of the same blob: treat it
 * as read-only, and copy it (for instance with fabric8's builders, {@code new
 * StatefulSetBuilder(set).build()}) before changing anything.
 *
 * @param resource a typed fabric8 model object for well-known kinds, otherwise a {@link
 *     io.fabric8.kubernetes.api.model.GenericKubernetesResource}
 */
public record ManifestObject(HasMetadata resource, SourceLocation source) {}
