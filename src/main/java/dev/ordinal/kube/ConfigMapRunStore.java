package dev.ordinal.kube;

import dev.ordinal.analysis.RunRecord;
import dev.ordinal.analysis.RunRecords;
import dev.ordinal.analysis.RunStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps analysis runs (their measurements, bounded per metric) in one ConfigMap in Ordinal's own
 * namespace, so that a restarted Ordinal continues a run where it was instead of starting over and
 * forgetting failures already seen. Writes use optimistic concurrency and are retried on conflict.
 */
public final class ConfigMapRunStore implements RunStore {
  private static final Logger log = LoggerFactory.getLogger(ConfigMapRunStore.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;

  public ConfigMapRunStore(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  @Override
  public void save(RunRecord record) {
    String json = RunRecords.toJson(record);
    update(
        data -> {
          data.put(key(record.runId()), json);
          return data;
        });
  }

  @Override
  public List<RunRecord> loadAll() {
    ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
    List<RunRecord> records = new ArrayList<>();
    if (map == null || map.getData() == null) {
      return records;
    }
    for (Map.Entry<String, String> entry : map.getData().entrySet()) {
      try {
        records.add(RunRecords.fromJson(entry.getValue()));
      } catch (RuntimeException e) {
        // One unreadable record must not stop the others from resuming.
        log.warn(
            "configmap {}/{} key {}: unreadable analysis run record, skipped: {}",
            namespace,
            name,
            entry.getKey(),
            e.getMessage());
      }
    }
    return records;
  }

  @Override
  public void remove(String runId) {
    update(
        data -> {
          data.remove(key(runId));
          return data;
        });
  }

  private void update(UnaryOperator<Map<String, String>> change) {
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

  /** ConfigMap keys allow [-._a-zA-Z0-9]; run ids contain '/'. */
  static String key(String runId) {
    return runId.replaceAll("[^-._a-zA-Z0-9]", "_");
  }
}
