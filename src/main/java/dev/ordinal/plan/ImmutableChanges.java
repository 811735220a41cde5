package dev.ordinal.plan;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A change Kubernetes forbids on an existing StatefulSet, taken apart by what it takes to carry it
 * out: volume claim templates whose storage grows (the existing PVCs can be patched), ones whose
 * storage shrinks (no PVC can shrink), and every other forbidden field.
 *
 * @param growths per volume claim template whose requested storage grows, old and new size
 * @param shrinks per volume claim template whose requested storage shrinks
 * @param others every other forbidden change (serviceName, selector, podManagementPolicy, claim
 *     template metadata, ...), as the planner found them
 */
public record ImmutableChanges(
    List<VolumeResize> growths, List<VolumeResize> shrinks, List<FieldChange> others) {

  /** One volume claim template's requested storage, before and after, as written. */
  public record VolumeResize(String template, String from, String to) {
    public VolumeResize {
      Objects.requireNonNull(template, "template");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }

    @Override
    public String toString() {
      return template + " " + from + " -> " + to;
    }
  }

  public ImmutableChanges {
    growths = List.copyOf(growths);
    shrinks = List.copyOf(shrinks);
    others = List.copyOf(others);
  }

  /** Nothing but volume growth: the pods keep running, none restarts. */
  public boolean volumeGrowthOnly() {
    return !growths.isEmpty() && shrinks.isEmpty() && others.isEmpty();
  }

  /**
   * Forbidden changes that a recreate can carry out only by rolling the pods afterwards (a new
   * serviceName, selector, podManagementPolicy or claim template metadata reaches a pod only when
   * it is created again), possibly with volume growth, and no shrink.
   */
  public boolean recreatableWithRollout() {
    return !others.isEmpty() && shrinks.isEmpty();
  }

  /** Takes {@code forbidden} (changes the planner found forbidden) apart. */
  static ImmutableChanges of(StatefulSet desired, StatefulSet live, List<FieldChange> forbidden) {
    Map<String, Quantity> before = storageByTemplate(live);
    Map<String, Quantity> after = storageByTemplate(desired);
    List<VolumeResize> growths = new ArrayList<>();
    List<VolumeResize> shrinks = new ArrayList<>();
    List<FieldChange> others = new ArrayList<>();
    for (FieldChange change : forbidden) {
      String template = storageTemplate(change.path());
      Quantity from = template == null ? null : before.get(template);
      Quantity to = template == null ? null : after.get(template);
      if (from == null || to == null) {
        others.add(change);
        continue;
      }
      int order = bytes(to).compareTo(bytes(from));
      VolumeResize resize = new VolumeResize(template, from.toString(), to.toString());
      if (order > 0) {
        growths.add(resize);
      } else if (order < 0) {
        shrinks.add(resize);
      }
    }
    return new ImmutableChanges(growths, shrinks, others);
  }

  /** {@code name} of {@code spec.volumeClaimTemplates[name=X].spec.resources.requests.storage}. */
  static String storageTemplate(String path) {
    String prefix = "spec.volumeClaimTemplates[name=";
    String suffix = "].spec.resources.requests.storage";
    if (path.startsWith(prefix) && path.endsWith(suffix)) {
      return path.substring(prefix.length(), path.length() - suffix.length());
    }
    return null;
  }

  /** The requested storage of each volume claim template, by template name. */
  public static Map<String, Quantity> storageByTemplate(StatefulSet sts) {
    Map<String, Quantity> sizes = new LinkedHashMap<>();
    if (sts.getSpec() == null || sts.getSpec().getVolumeClaimTemplates() == null) {
      return sizes;
    }
    for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
      Quantity storage = storage(template);
      if (template.getMetadata() != null && storage != null) {
        sizes.put(template.getMetadata().getName(), storage);
      }
    }
    return sizes;
  }

  /** A claim's (or claim template's) requested storage; null when it requests none. */
  public static Quantity storage(PersistentVolumeClaim claim) {
    if (claim.getSpec() == null
        || claim.getSpec().getResources() == null
        || claim.getSpec().getResources().getRequests() == null) {
      return null;
    }
    return claim.getSpec().getResources().getRequests().get("storage");
  }

  /** A quantity in bytes, for comparing sizes written in different units. */
  public static BigDecimal bytes(Quantity quantity) {
    return Quantity.getAmountInBytes(quantity);
  }
}
