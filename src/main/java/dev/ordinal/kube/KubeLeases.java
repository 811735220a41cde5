package dev.ordinal.kube;

import dev.ordinal.shard.LeaseRecord;
import dev.ordinal.shard.LeaseStore;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;

/**
 * The shard Leases in one namespace, over {@code coordination.k8s.io/v1}: list, create, a JSON
 * merge patch that carries the resourceVersion it was decided on, so the API server refuses it
 * (409) if anyone wrote the Lease in between, and a delete with that version as its precondition.
 */
final class KubeLeases implements LeaseStore {
  private static final DateTimeFormatter MICRO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;

  KubeLeases(KubernetesClient client, String namespace, Clock clock) {
    this.client = Objects.requireNonNull(client);
    this.namespace = Objects.requireNonNull(namespace);
    this.clock = Objects.requireNonNull(clock);
  }

  @Override
  public List<LeaseRecord> list(String prefix) {
    return client.resources(Lease.class).inNamespace(namespace).list().getItems().stream()
        .filter(l -> l.getMetadata().getName().startsWith(prefix))
        .map(
            l ->
                new LeaseRecord(
                    l.getMetadata().getName(),
                    l.getSpec() == null ? null : l.getSpec().getHolderIdentity(),
                    l.getMetadata().getResourceVersion()))
        .toList();
  }

  @Override
  public boolean create(String name, String holder, Duration duration) {
    ZonedDateTime now = clock.instant().atZone(ZoneOffset.UTC);
    Lease lease =
        new LeaseBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "ordinal")
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity(holder)
            .withLeaseDurationSeconds((int) duration.toSeconds())
            .withAcquireTime(now)
            .withRenewTime(now)
            .endSpec()
            .build();
    try {
      client.resources(Lease.class).inNamespace(namespace).resource(lease).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public boolean update(String name, String version, String holder, Duration duration) {
    String holderJson = holder.isEmpty() ? "null" : quote(holder);
    String patch =
        "{\"metadata\":{\"resourceVersion\":"
            + quote(version)
            + "},\"spec\":{\"holderIdentity\":"
            + holderJson
            + ",\"leaseDurationSeconds\":"
            + duration.toSeconds()
            + ",\"renewTime\":"
            + quote(MICRO.format(clock.instant().atOffset(ZoneOffset.UTC)))
            + "}}";
    try {
      client
          .resources(Lease.class)
          .inNamespace(namespace)
          .withName(name)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public boolean delete(String name, String version) {
    try {
      // Deleted with the version as a precondition: a replica that renewed it in between keeps it.
      return !client
          .resources(Lease.class)
          .inNamespace(namespace)
          .withName(name)
          .lockResourceVersion(version)
          .delete()
          .isEmpty();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  /** Names and versions are plain object names and numbers, but an identity is the user's. */
  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
