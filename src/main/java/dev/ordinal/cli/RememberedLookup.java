package dev.ordinal.cli;

import dev.ordinal.daemon.ForwardingLiveObjects;
import dev.ordinal.daemon.LiveObjects;
import dev.ordinal.plan.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster, answering a lookup of objects it has looked up already from that first answer. A
 * one-shot command reads the live objects once to learn their app, and the plan then asks for the
 * same objects: reading them again would cost a second LIST and a second decoding of every object.
 * Objects the first lookup was not asked about are looked up in the cluster.
 */
final class RememberedLookup extends ForwardingLiveObjects {
  private final Set<ObjectKey> asked;
  private final Map<ObjectKey, Live> found;

  /**
   * @param asked the keys of the objects the first lookup was asked about
   * @param found its answer: those of them that exist
   */
  RememberedLookup(LiveObjects cluster, Set<ObjectKey> asked, Map<ObjectKey, Live> found) {
    super(cluster);
    this.asked = Set.copyOf(asked);
    this.found = Map.copyOf(found);
  }

  @Override
  public Map<ObjectKey, Live> lookup(
      Collection<? extends HasMetadata> desired, String defaultNamespace) {
    List<HasMetadata> unasked = new ArrayList<>();
    for (HasMetadata object : desired) {
      if (!asked.contains(ObjectKey.of(object, defaultNamespace))) {
        unasked.add(object);
      }
    }
    Map<ObjectKey, Live> fresh =
        unasked.isEmpty() ? Map.of() : super.lookup(unasked, defaultNamespace);
    Map<ObjectKey, Live> live = new LinkedHashMap<>();
    for (HasMetadata object : desired) {
      ObjectKey key = ObjectKey.of(object, defaultNamespace);
      Live known = asked.contains(key) ? found.get(key) : fresh.get(key);
      if (known != null) {
        live.put(key, known);
      }
    }
    return live;
  }
}
