package dev.ordinal.testkit;

/** Small manifests shared by the sync, CLI and daemon tests. */
public final class Manifests {
  private Manifests() {}

  /**
   * A StatefulSet with no replicas, so thousands cost no pods: {@code labels} is a YAML flow map
   * such as {@code "{release: v1}"}.
   */
  public static String withoutReplicas(String name, String labels) {
    return shape(name, ", labels: " + labels, 0, "registry.local/db:1");
  }

  /**
   * A StatefulSet of one container running {@code image}, its selector and serviceName named after
   * it; under the RolloutPolicy {@code policy}, or none when it is null.
   */
  public static String statefulSet(String name, int replicas, String image, String policy) {
    return shape(
        name,
        policy == null ? "" : ", annotations: {ordinal.dev/policy: " + policy + "}",
        replicas,
        image);
  }

  /** The one StatefulSet shape both share; {@code moreMetadata} follows the name. */
  private static String shape(String name, String moreMetadata, int replicas, String image) {
    return """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: %1$s%2$s}
        spec:
          replicas: %3$d
          serviceName: %1$s
          selector: {matchLabels: {app: %1$s}}
          template:
            metadata: {labels: {app: %1$s}}
            spec:
              containers: [{name: db, image: "%4$s"}]
        """
        .formatted(name, moreMetadata, replicas, image);
  }

  public static final String STS =
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
        labels: {app: db}
        annotations: {ordinal.dev/policy: canary}
      spec:
        replicas: 3
        serviceName: db
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec:
            containers:
              - name: db
                image: registry.local/db:1
                ports: [{containerPort: 5432, name: pg}]
                resources: {requests: {cpu: 500m, memory: 1Gi}}
                volumeMounts: [{name: data, mountPath: /var/lib/db}]
        volumeClaimTemplates:
          - metadata: {name: data}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
      """;
  public static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: db}
      spec:
        clusterIP: None
        selector: {app: db}
        ports: [{port: 5432, name: pg}]
      """;
  public static final String CONFIG =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: db-config}
      data: {max_connections: "100"}
      """;
  public static final String POLICY =
      """
      apiVersion: ordinal.dev/v1alpha1
      kind: RolloutPolicy
      metadata: {name: canary}
      spec:
        steps:
          - canary: {replicas: 1}
          - pause: {}
      """;

  /**
   * {@link #STS} with other annotations than its policy's (empty for none) and claims of {@code
   * storageClass} requesting {@code size}: for growing volumes.
   */
  public static String growable(String size, String storageClass, String annotations) {
    return STS.replace(
            "annotations: {ordinal.dev/policy: canary}", "annotations: {" + annotations + "}")
        .replace(
            "accessModes: [ReadWriteOnce]",
            "accessModes: [ReadWriteOnce]\n        storageClassName: " + storageClass)
        .replace("storage: 1Gi", "storage: " + size);
  }

  /** A policy that opts in to recreates, with two canary steps each held until promoted. */
  public static final String RECREATE_POLICY =
      """
      apiVersion: ordinal.dev/v1alpha1
      kind: RolloutPolicy
      metadata: {name: canary}
      spec:
        immutableChanges: recreate
        steps:
          - canary: {replicas: 1}
          - pause: {}
          - canary: {replicas: 2}
          - pause: {}
      """;
}
