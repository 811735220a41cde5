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
 * <p>Kubernetes objects are checked as the API server would check them, offline: the served kinds
 * and removed versions ({@code KubernetesKinds}), every field and type ({@code FieldSchema}, from
 * fabric8's model classes) and the server's validation rules ({@code KubernetesRules}, {@code
 * PodRules}). {@link dev.ordinal.manifest.TreeRules} says which files of a tree are read, the same
 * for a folder and for a commit.
 *
 * <p>This package talks to no cluster, repository or metrics server.
 */
package dev.ordinal.manifest;
