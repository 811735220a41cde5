/**
 * Reads the manifests of one revision into what the cluster should look like.
 *
 * <p>Entry points: {@link dev.ordinal.manifest.LocalDirectory#read} makes a {@link
 * dev.ordinal.manifest.SourceTree} from a folder (the Git adapter makes them from commits), and
 * {@link dev.ordinal.manifest.ManifestLoader#load} turns a tree into a {@link
 * dev.ordinal.manifest.LoadResult}: a {@link dev.ordinal.manifest.DesiredState} of typed fabric8
 * objects, {@link dev.ordinal.manifest.RolloutPolicy rollout policies} and {@link
 * dev.ordinal.manifest.AnalysisTemplate analysis templates}, or every {@link
 * dev.ordinal.manifest.LoadError} found, as {@code file:line: message}.
 *
 * <p>This package talks to no cluster, repository or metrics server.
 */
package dev.ordinal.manifest;
