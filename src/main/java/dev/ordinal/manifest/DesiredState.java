package dev.ordinal.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a valid revision of the source tree asks for.
 *
 * @param revision the revision of the tree this was loaded from
 * @param objects the Kubernetes objects, in file order, then document order
 * @param policies rollout policies by name, in file order
 * @param templates analysis templates by name, in file order
 */
public record DesiredState(
    String revision,
    List<ManifestObject> objects,
    Map<String, RolloutPolicy> policies,
    Map<String, AnalysisTemplate> templates) {

  public DesiredState {
    objects = List.copyOf(objects);
    policies = Collections.unmodifiableMap(new LinkedHashMap<>(policies));
    templates = Collections.unmodifiableMap(new LinkedHashMap<>(templates));
  }

  /** The StatefulSets among {@link #objects}. */
  public List<ManifestObject> statefulSets() {
    List<ManifestObject> result = new ArrayList<>();
    for (ManifestObject object : objects) {
      if (object.resource() instanceof StatefulSet) {
        result.add(object);
      }
    }
    return result;
  }

  /**
   * The policy that governs {@code statefulSet}: the one its {@code ordinal.dev/policy} annotation
   * names, else the one whose selector matches it; empty if none does (it is then rolled out
   * directly, without steps).
   *
   * @throws IllegalArgumentException if the annotation names a missing or out-of-scope policy, or
   *     several selectors match; loading reports these as errors, so this happens only for objects
   *     that did not come from this state
   */
  public Optional<RolloutPolicy> policyFor(HasMetadata statefulSet) {
    Governance governance = governance(statefulSet);
    if (governance instanceof Governance.Governed governed) {
      return Optional.of(governed.policy());
    }
    if (governance instanceof Governance.Ungoverned) {
      return Optional.empty();
    }
    throw new IllegalArgumentException(governance.problem());
  }

  /** How {@code statefulSet} relates to this state's policies, as a value. */
  public Governance governance(HasMetadata statefulSet) {
    return govern(statefulSet, policies);
  }

  /** How a StatefulSet relates to the policies; anything but governed/ungoverned is an error. */
  public sealed interface Governance {
    default String problem() {
      return "";
    }

    record Governed(RolloutPolicy policy) implements Governance {}

    record Ungoverned() implements Governance {}

    /**
     * @param closest the defined policy whose name is nearest, when near enough to be the one meant
     */
    record UnknownPolicy(String name, String closest) implements Governance {
      @Override
      public String problem() {
        return "names RolloutPolicy '"
            + name
            + "', which is not defined in this tree"
            + (closest == null ? "" : "; did you mean '" + closest + "'?");
      }
    }

    record OutOfScope(RolloutPolicy policy, String namespace) implements Governance {
      @Override
      public String problem() {
        return "names RolloutPolicy '"
            + policy.name()
            + "', which only governs namespace '"
            + policy.namespace().orElse("")
            + "', not '"
            + (namespace == null ? "" : namespace)
            + "'";
      }
    }

    record Ambiguous(List<String> policyNames) implements Governance {
      @Override
      public String problem() {
        return "is selected by several RolloutPolicies ("
            + String.join(", ", policyNames)
            + "); name one with annotation "
            + RolloutPolicy.POLICY_ANNOTATION;
      }
    }
  }

  static Governance govern(HasMetadata statefulSet, Map<String, RolloutPolicy> policies) {
    Map<String, String> annotations = statefulSet.getMetadata().getAnnotations();
    String named = annotations == null ? null : annotations.get(RolloutPolicy.POLICY_ANNOTATION);
    if (named != null) {
      RolloutPolicy policy = policies.get(named);
      if (policy == null) {
        return new Governance.UnknownPolicy(named, Suggestions.closest(named, policies.keySet()));
      }
      if (!policy.inScope(statefulSet)) {
        return new Governance.OutOfScope(policy, statefulSet.getMetadata().getNamespace());
      }
      return new Governance.Governed(policy);
    }
    List<RolloutPolicy> matches = new ArrayList<>();
    for (RolloutPolicy policy : policies.values()) {
      if (policy.selects(statefulSet)) {
        matches.add(policy);
      }
    }
    if (matches.isEmpty()) {
      return new Governance.Ungoverned();
    }
    if (matches.size() > 1) {
      return new Governance.Ambiguous(matches.stream().map(RolloutPolicy::name).toList());
    }
    return new Governance.Governed(matches.get(0));
  }
}
