package dev.ordinal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.ordinal.daemon.StatefulSetObserver;
import dev.ordinal.promotion.PromotionLinks;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.PodView;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ordinal status -o json|yaml}: what the text view shows, as data for scripts. {@code
 * rolloutState} is the {@code ordinal.dev/rollout-state} annotation as stored (its {@code status}
 * holds the phase and the machine-readable reason); it is absent before Ordinal manages the
 * StatefulSet, and left out when unreadable ({@code problem} says why). {@code promotionPending}
 * (the open pull request of each promotion into it, empty when none) and {@code promotedFrom} (the
 * last merged one, null when none) are what the StatefulSet records (see {@link PromotionLinks}).
 */
record StatusDocument(
    String namespace,
    String name,
    int replicas,
    Integer partition,
    String currentRevision,
    String updateRevision,
    List<PodStatus> pods,
    List<String> pendingCommands,
    JsonNode rolloutState,
    String problem,
    List<PromotionLinks.Pending> promotionPending,
    PromotionLinks.Merged promotedFrom) {

  record PodStatus(
      String name, String revision, boolean ready, boolean terminating, int restarts) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  static StatusDocument of(StatefulSet sts, List<Pod> pods) {
    Map<String, String> annotations =
        sts.getMetadata().getAnnotations() == null ? Map.of() : sts.getMetadata().getAnnotations();
    JsonNode state = null;
    String problem = null;
    Optional<String> raw = Annotations.state(annotations);
    if (raw.isPresent()) {
      try {
        state = JSON.readTree(raw.get());
      } catch (JsonProcessingException e) {
        problem = Annotations.STATE + " is not JSON: " + e.getOriginalMessage();
      }
    }
    List<PodStatus> podStatuses = new ArrayList<>();
    for (Pod pod : pods) {
      StatefulSetObserver.podView(pod)
          .ifPresent(
              (PodView v) ->
                  podStatuses.add(
                      new PodStatus(
                          v.name(), v.revision(), v.ready(), v.terminating(), v.restartCount())));
    }
    podStatuses.sort(Comparator.comparing(PodStatus::name));
    var spec = sts.getSpec();
    var status = sts.getStatus();
    return new StatusDocument(
        sts.getMetadata().getNamespace(),
        sts.getMetadata().getName(),
        spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas(),
        StatefulSetObserver.partition(sts),
        status == null ? null : status.getCurrentRevision(),
        status == null ? null : status.getUpdateRevision(),
        podStatuses,
        Annotations.commands(annotations).stream().map(Command::displayName).sorted().toList(),
        state,
        problem,
        PromotionLinks.pendings(annotations),
        PromotionLinks.merged(annotations).orElse(null));
  }

  /** One document, or a list of them, in {@code format} (json or yaml). */
  static String render(Object documents, String format) {
    try {
      return ("yaml".equals(format) ? YAML : JSON).writeValueAsString(documents)
          + ("yaml".equals(format) ? "" : "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("records of strings, numbers and JSON always serialize", e);
    }
  }
}
