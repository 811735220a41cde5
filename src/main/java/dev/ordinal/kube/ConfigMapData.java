package dev.ordinal.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The data of one ConfigMap in Ordinal's own namespace, read and changed under optimistic
 * concurrency (a change is made again on a conflict), created on first write.
 */
final class ConfigMapData {
  private final KubernetesClient client;
  private final String namespace;
  private final String name;

  ConfigMapData(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  /** The data as it is now; empty when the ConfigMap does not exist. */
  Map<String, String> read() {
    ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
    return map == null || map.getData() == null ? Map.of() : map.getData();
  }

  void update(UnaryOperator<Map<String, String>> change) {
    for (int attempt = 0; ; attempt++) {
      ConfigMap current = client.configMaps().inNamespace(namespace).withName(name).get();
      try {
        if (current == null) {
          Map<String, String> data = change.apply(new HashMap<>());
          client
              .configMaps()
              .inNamespace(namespace)
              .resource(
                  new ConfigMapBuilder()
                      .withNewMetadata()
                      .withName(name)
                      .withNamespace(namespace)
                      .addToLabels("app.kubernetes.io/managed-by", "ordinal")
                      .endMetadata()
                      .withData(data)
                      .build())
              .create();
        } else {
          Map<String, String> data =
              change.apply(
                  current.getData() == null ? new HashMap<>() : new HashMap<>(current.getData()));
          current.setData(data);
          client.configMaps().inNamespace(namespace).resource(current).update();
        }
        return;
      } catch (KubernetesClientException e) {
        if ((e.getCode() != 409) || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /** ConfigMap keys allow [-._a-zA-Z0-9]; ids and keys contain '/'. */
  static String key(String id) {
    return id.replaceAll("[^-._a-zA-Z0-9]", "_");
  }
}
