package dev.ordinal.kube;

import dev.ordinal.analysis.RunRecord;
import dev.ordinal.analysis.RunRecords;
import dev.ordinal.analysis.RunStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
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
    List<RunRecord> records = new ArrayList<>();
    for (Map.Entry<String, String> entry :
        new ConfigMapData(client, namespace, name).read().entrySet()) {
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
    new ConfigMapData(client, namespace, name).update(change);
  }

  /** ConfigMap keys allow [-._a-zA-Z0-9]; run ids contain '/'. */
  static String key(String runId) {
    return ConfigMapData.key(runId);
  }
}
