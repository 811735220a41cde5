package dev.ordinal.daemon;

import dev.ordinal.plan.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A cluster port that passes every call to another; a subclass changes the calls it needs to. */
public class ForwardingLiveObjects implements LiveObjects {
  private final LiveObjects cluster;

  protected ForwardingLiveObjects(LiveObjects cluster) {
    this.cluster = cluster;
  }

  @Override
  public Map<ObjectKey, Live> lookup(
      Collection<? extends HasMetadata> desired, String defaultNamespace) {
    return cluster.lookup(desired, defaultNamespace);
  }

  @Override
  public List<Live> inventory(
      String app, String namespace, Map<String, Set<String>> kindsByApiVersion) {
    return cluster.inventory(app, namespace, kindsByApiVersion);
  }

  @Override
  public Optional<HasMetadata> full(Live live) {
    return cluster.full(live);
  }

  @Override
  public HasMetadata apply(HasMetadata desired) {
    return cluster.apply(desired);
  }

  @Override
  public void delete(Live live) {
    cluster.delete(live);
  }

  @Override
  public HoldResult hold(ObjectKey statefulSet, Integer seen, int partition, String holdUntil) {
    return cluster.hold(statefulSet, seen, partition, holdUntil);
  }
}
