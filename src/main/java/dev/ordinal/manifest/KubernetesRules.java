package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The API server's validation of the kinds people commit, checked offline: what Kubernetes 1.35's
 * {@code pkg/apis/*}/validation rejects for StatefulSets, Deployments, DaemonSets, ReplicaSets,
 * Jobs, CronJobs, Pods, Services, ConfigMaps, Secrets, PersistentVolumeClaims,
 * PodDisruptionBudgets, HorizontalPodAutoscalers and Ingresses, after the server's defaults are
 * applied (an absent {@code podManagementPolicy} is OrderedReady, not an error).
 *
 * <p>Rules run on the document's tree after {@link FieldSchema} found every type right, so a number
 * is a number here. Each rule reports in words that say what to write instead.
 */
final class KubernetesRules {

  private static final List<String> PROTOCOLS = List.of("TCP", "UDP", "SCTP");
  private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
  private static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
  private static final List<String> STANDARD_RESOURCES =
      List.of("cpu", "memory", "ephemeral-storage");
  private static final List<String> VOLUME_SOURCES =
      List.of(
          "hostPath",
          "emptyDir",
          "gcePersistentDisk",
          "awsElasticBlockStore",
          "gitRepo",
          "secret",
          "nfs",
          "iscsi",
          "glusterfs",
          "persistentVolumeClaim",
          "rbd",
          "flexVolume",
          "cinder",
          "cephfs",
          "flocker",
          "downwardAPI",
          "fc",
          "azureFile",
          "configMap",
          "vsphereVolume",
          "quobyte",
          "azureDisk",
          "photonPersistentDisk",
          "projected",
          "portworxVolume",
          "scaleIO",
          "storageos",
          "csi",
          "ephemeral",
          "image");
  private static final List<String> ENV_FIELD_PATHS =
      List.of(
          "metadata.name",
          "metadata.namespace",
          "metadata.uid",
          "spec.nodeName",
          "spec.serviceAccountName",
          "status.hostIP",
          "status.hostIPs",
          "status.podIP",
          "status.podIPs");
  private static final long MAX_DATA_BYTES = 1024 * 1024;
  private static final long MAX_ANNOTATION_BYTES = 256 * 1024;

  private final Problems problems;

  private KubernetesRules(Problems problems) {
    this.problems = problems;
  }

  /**
   * Checks the metadata every object has, for every kind (custom resources too); false when the
   * object cannot even be named.
   */
  static boolean metadata(
      JsonNode root, String kind, String group, boolean custom, Problems problems) {
    return new KubernetesRules(problems).metadata(Node.root(root), kind, group, custom);
  }

  /** Checks the fields of a built-in kind whose types are all right. */
  static void check(String kind, JsonNode root, Problems problems) {
    KubernetesRules rules = new KubernetesRules(problems);
    Node object = Node.root(root);
    switch (kind) {
      case "StatefulSet" -> rules.statefulSet(object.get("spec"));
      case "Deployment" -> rules.deployment(object.get("spec"));
      case "DaemonSet" -> rules.daemonSet(object.get("spec"));
      case "ReplicaSet" -> rules.replicaSet(object.get("spec"));
      case "Job" -> rules.job(object);
      case "CronJob" -> rules.cronJob(object);
      case "Pod" -> rules.podSpec(object.get("spec"), Set.of(), RESTART_POLICIES);
      case "PodTemplate" ->
          rules.podTemplate(object.get("template"), null, RESTART_POLICIES, Set.of());
      case "Service" -> rules.service(object.get("spec"));
      case "ConfigMap" -> rules.configMap(object);
      case "Secret" -> rules.secret(object);
      case "PersistentVolumeClaim" -> rules.claimSpec(object.get("spec"));
      case "PodDisruptionBudget" -> rules.disruptionBudget(object.get("spec"));
      case "HorizontalPodAutoscaler" -> rules.autoscaler(object.get("spec"));
      case "Ingress" -> rules.ingress(object.get("spec"));
      default -> {}
    }
  }

  // ---------------------------------------------------------------------------------------------
  // metadata

  // Types are FieldSchema's to report (ObjectMeta is checked for every kind); these rules only
  // look at values of the right type.
  private boolean metadata(Node root, String kind, String group, boolean custom) {
    Node metadata = root.get("metadata");
    Node name = metadata.get("name");
    if (!metadata.value().isObject() && metadata.isSet()) {
      return false;
    }
    if (!name.isSet()) {
      problems.add(name.path(), "missing required field");
      return false;
    }
    boolean usable = name.text() != null;
    if (usable) {
      Optional<String> bad = nameProblem(name.text(), kind, group, custom);
      bad.ifPresent(problem -> problems.add(name.path(), problem));
      usable = bad.isEmpty();
    }
    Node namespace = metadata.get("namespace");
    if (!namespace.textOr("").isEmpty()) {
      Optional<String> bad = ObjectNames.checkLabel(namespace.text());
      bad.ifPresent(problem -> problems.add(namespace.path(), problem));
      usable &= bad.isEmpty();
    }
    labels(metadata.get("labels"));
    annotations(metadata.get("annotations"));
    return usable;
  }

  private static Optional<String> nameProblem(
      String name, String kind, String group, boolean custom) {
    if (custom || group.equals("rbac.authorization.k8s.io")) {
      return ObjectNames.checkPathSegment(name);
    }
    return switch (kind) {
      case "Namespace", "StatefulSet" -> ObjectNames.checkDnsLabel(name, "name");
      case "Service" -> ObjectNames.checkDns1035Label(name);
      case "CronJob" ->
          name.length() > 52
              ? Optional.of(
                  "must be at most 52 characters (Kubernetes appends 11 characters to name each Job), got "
                      + name.length())
              : ObjectNames.checkSubdomain(name);
      case "Job" ->
          name.length() > 63
              ? Optional.of(
                  "must be at most 63 characters (the name is also a label value on its pods), got "
                      + name.length())
              : ObjectNames.checkSubdomain(name);
      default -> ObjectNames.checkSubdomain(name);
    };
  }

  private void labels(Node labels) {
    for (Map.Entry<String, Node> label : labels.entries()) {
      Optional<String> key = ObjectNames.checkLabelKey(label.getKey(), "label");
      key.ifPresent(problem -> problems.add(label.getValue().path(), problem));
      String value = label.getValue().text();
      if (value != null) {
        ObjectNames.checkLabelValue(value)
            .ifPresent(problem -> problems.add(label.getValue().path(), problem));
      }
    }
  }

  private void annotations(Node annotations) {
    long size = 0;
    for (Map.Entry<String, Node> annotation : annotations.entries()) {
      ObjectNames.checkLabelKey(annotation.getKey().toLowerCase(Locale.ROOT), "annotation")
          .ifPresent(problem -> problems.add(annotation.getValue().path(), problem));
      Node value = annotation.getValue();
      size += annotation.getKey().length() + (value.text() == null ? 0 : utf8Length(value.text()));
    }
    if (size > MAX_ANNOTATION_BYTES) {
      problems.add(
          annotations.path(),
          "annotations add up to " + size + " bytes, over Kubernetes' limit of 262144 (256 KiB)");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // workloads

  private void statefulSet(Node spec) {
    nonNegative(spec.get("replicas"));
    nonNegative(spec.get("minReadySeconds"));
    nonNegative(spec.get("ordinals", "start"));
    String serviceName = spec.get("serviceName").text();
    if (serviceName != null && !serviceName.isEmpty()) {
      ObjectNames.checkDnsLabel(serviceName, "serviceName")
          .ifPresent(problem -> problems.add(spec.get("serviceName").path(), problem));
    }
    oneOf(spec.get("podManagementPolicy"), List.of("OrderedReady", "Parallel"));
    Node strategy = spec.get("updateStrategy");
    String type = strategy.get("type").textOr("RollingUpdate");
    oneOf(strategy.get("type"), List.of("RollingUpdate", "OnDelete"));
    Node rolling = strategy.get("rollingUpdate");
    if (type.equals("OnDelete") && rolling.isSet()) {
      problems.add(
          rolling.path(), "only allowed with updateStrategy type RollingUpdate; remove it");
    } else if (rolling.isSet()) {
      nonNegative(rolling.get("partition"));
      Node maxUnavailable = rolling.get("maxUnavailable");
      if (maxUnavailable.isSet()) {
        intOrPercent(maxUnavailable, false);
      }
    }
    Node retention = spec.get("persistentVolumeClaimRetentionPolicy");
    oneOf(retention.get("whenDeleted"), List.of("Retain", "Delete"));
    oneOf(retention.get("whenScaled"), List.of("Retain", "Delete"));
    Set<String> claimNames = new HashSet<>();
    for (Node claim : spec.get("volumeClaimTemplates").items()) {
      claimSpec(claim.get("spec"));
      String name = claim.get("metadata", "name").text();
      if (name != null) {
        claimNames.add(name);
      }
    }
    Node template = spec.get("template");
    Node selector = selector(spec.get("selector"), true, "StatefulSet");
    podTemplate(template, selector, List.of("Always"), claimNames);
    if (template.get("spec", "activeDeadlineSeconds").isSet()) {
      problems.add(
          template.get("spec", "activeDeadlineSeconds").path(),
          "not supported for a StatefulSet's pods; remove it");
    }
  }

  private void deployment(Node spec) {
    nonNegative(spec.get("replicas"));
    nonNegative(spec.get("minReadySeconds"));
    nonNegative(spec.get("revisionHistoryLimit"));
    Node strategy = spec.get("strategy");
    String type = strategy.get("type").textOr("RollingUpdate");
    oneOf(strategy.get("type"), List.of("RollingUpdate", "Recreate"));
    Node rolling = strategy.get("rollingUpdate");
    if (type.equals("Recreate") && rolling.isSet()) {
      problems.add(rolling.path(), "may not be set when strategy type is Recreate; remove it");
    } else if (type.equals("RollingUpdate")) {
      surgeAndUnavailable(rolling);
    }
    Node deadline = spec.get("progressDeadlineSeconds");
    if (deadline.isInteger() && deadline.number(0) <= spec.get("minReadySeconds").number(0)) {
      problems.add(deadline.path(), "must be greater than minReadySeconds");
    }
    replicatedTemplate(spec, "Deployment");
  }

  private void daemonSet(Node spec) {
    nonNegative(spec.get("minReadySeconds"));
    nonNegative(spec.get("revisionHistoryLimit"));
    Node strategy = spec.get("updateStrategy");
    String type = strategy.get("type").textOr("RollingUpdate");
    oneOf(strategy.get("type"), List.of("RollingUpdate", "OnDelete"));
    if (type.equals("RollingUpdate")) {
      surgeAndUnavailable(strategy.get("rollingUpdate"));
    }
    replicatedTemplate(spec, "DaemonSet");
  }

  private void replicaSet(Node spec) {
    nonNegative(spec.get("replicas"));
    nonNegative(spec.get("minReadySeconds"));
    replicatedTemplate(spec, "ReplicaSet");
  }

  /** The template of a controller that keeps pods running: a required selector, restart Always. */
  private void replicatedTemplate(Node spec, String kind) {
    podTemplate(
        spec.get("template"),
        selector(spec.get("selector"), true, kind),
        List.of("Always"),
        Set.of());
  }

  /** maxSurge and maxUnavailable of a rolling update: not negative, not both zero. */
  private void surgeAndUnavailable(Node rolling) {
    Node surge = rolling.get("maxSurge");
    Node unavailable = rolling.get("maxUnavailable");
    boolean surgeZero = surge.isSet() && intOrPercent(surge, true) == 0;
    boolean unavailableZero = unavailable.isSet() && intOrPercent(unavailable, true) == 0;
    if (surgeZero && unavailableZero) {
      problems.add(unavailable.path(), "may not be 0 when maxSurge is 0 too");
    }
  }

  private void job(Node job) {
    Node spec = job.get("spec");
    jobSpec(spec);
    boolean manual = spec.get("manualSelector").value().asBoolean(false);
    if (spec.get("selector").isSet() && !manual) {
      problems.add(
          spec.get("selector").path(),
          "Kubernetes generates a Job's selector: remove it, or set manualSelector: true to keep"
              + " your own");
    }
    podTemplate(
        spec.get("template"),
        manual ? selector(spec.get("selector"), false, "Job") : null,
        List.of("OnFailure", "Never"),
        Set.of());
  }

  private void jobSpec(Node spec) {
    for (String field :
        List.of(
            "parallelism",
            "completions",
            "activeDeadlineSeconds",
            "backoffLimit",
            "ttlSecondsAfterFinished")) {
      nonNegative(spec.get(field));
    }
    oneOf(spec.get("completionMode"), List.of("NonIndexed", "Indexed"));
    if ("Indexed".equals(spec.get("completionMode").text()) && !spec.get("completions").isSet()) {
      problems.add(
          spec.get("completions").path(), "missing required field (completionMode is Indexed)");
    }
  }

  private void cronJob(Node cronJob) {
    Node spec = cronJob.get("spec");
    Node schedule = spec.get("schedule");
    if (schedule.textOr("").isEmpty()) {
      problems.add(schedule.path(), "missing required field");
    } else {
      Schedules.problem(schedule.text())
          .ifPresent(problem -> problems.add(schedule.path(), problem));
    }
    nonNegative(spec.get("startingDeadlineSeconds"));
    nonNegative(spec.get("successfulJobsHistoryLimit"));
    nonNegative(spec.get("failedJobsHistoryLimit"));
    oneOf(spec.get("concurrencyPolicy"), List.of("Allow", "Forbid", "Replace"));
    Node jobSpec = spec.get("jobTemplate", "spec");
    jobSpec(jobSpec);
    if (jobSpec.get("selector").isSet()) {
      problems.add(
          jobSpec.get("selector").path(),
          "Kubernetes generates the selector of a CronJob's Jobs: remove it");
    }
    if (jobSpec.get("manualSelector").value().asBoolean(false)) {
      problems.add(jobSpec.get("manualSelector").path(), "must not be true in a CronJob");
    }
    podTemplate(jobSpec.get("template"), null, List.of("OnFailure", "Never"), Set.of());
  }

  /**
   * Checks a pod template: its labels match the selector (when there is one) and its pod spec.
   *
   * @param restartPolicies the restart policies this kind allows; the first is the one to suggest
   */
  private void podTemplate(
      Node template, Node selector, List<String> restartPolicies, Set<String> claimNames) {
    Node labels = template.get("metadata", "labels");
    labels(labels);
    annotations(template.get("metadata", "annotations"));
    if (selector != null && selector.isSet() && !matches(selector, labels)) {
      problems.add(
          labels.isSet() ? labels.path() : template.get("metadata").path(),
          "does not match "
              + selector.path()
              + " ("
              + describeSelector(selector)
              + "): the controller would never find its own pods; give the template those labels");
    }
    podSpec(template.get("spec"), claimNames, restartPolicies);
  }

  // ---------------------------------------------------------------------------------------------
  // pods

  private void podSpec(Node spec, Set<String> claimNames, List<String> restartPolicies) {
    Set<String> volumes = volumes(spec.get("volumes"));
    volumes.addAll(claimNames);
    Node containers = spec.get("containers");
    if (containers.size() == 0) {
      problems.add(
          containers.path(),
          containers.isSet()
              ? "must list at least one container"
              : "missing required field: a pod needs at least one container");
    }
    Map<String, String> names = new HashMap<>();
    for (Node container : spec.get("initContainers").items()) {
      container(container, volumes, names, false);
    }
    for (Node container : containers.items()) {
      container(container, volumes, names, true);
    }
    Node restart = spec.get("restartPolicy");
    String policy = restart.textOr("Always");
    if (!restartPolicies.contains(policy)) {
      if (RESTART_POLICIES.contains(policy) || !restart.isSet()) {
        problems.add(
            restart.path(),
            (restart.isSet() ? "must be " : "missing required field: must be ")
                + String.join(" or ", restartPolicies)
                + " here"
                + (restart.isSet()
                    ? ", got \"" + policy + "\""
                    : " (the default, Always, is not allowed)"));
      } else {
        oneOf(restart, restartPolicies);
      }
    }
    oneOf(
        spec.get("dnsPolicy"),
        List.of("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"));
    labels(spec.get("nodeSelector"));
    subdomain(spec.get("serviceAccountName"), "serviceAccountName");
    subdomain(spec.get("priorityClassName"), "priorityClassName");
    dnsLabel(spec.get("hostname"), "hostname");
    dnsLabel(spec.get("subdomain"), "subdomain");
    Node deadline = spec.get("activeDeadlineSeconds");
    if (deadline.isInteger() && deadline.number(1) < 1) {
      problems.add(deadline.path(), "must be at least 1, got " + deadline.number(1));
    }
    Node security = spec.get("securityContext");
    for (String id : List.of("runAsUser", "runAsGroup", "fsGroup")) {
      userOrGroupId(security.get(id));
    }
    oneOf(security.get("fsGroupChangePolicy"), List.of("OnRootMismatch", "Always"));
    seccomp(security.get("seccompProfile"));
    for (Node toleration : spec.get("tolerations").items()) {
      toleration(toleration);
    }
    for (Node secret : spec.get("imagePullSecrets").items()) {
      if (secret.get("name").textOr("").isEmpty()) {
        problems.add(secret.get("name").path(), "missing required field");
      }
    }
  }

  /** Volume names (unique RFC 1123 labels) and their single source; returns the names. */
  private Set<String> volumes(Node volumes) {
    Set<String> names = new HashSet<>();
    for (Node volume : volumes.items()) {
      Node name = volume.get("name");
      if (name.textOr("").isEmpty()) {
        problems.add(name.path(), "missing required field");
      } else if (!names.add(name.text())) {
        problems.add(name.path(), "duplicate volume name \"" + name.text() + "\"");
      } else {
        ObjectNames.checkDnsLabel(name.text(), "volume name")
            .ifPresent(problem -> problems.add(name.path(), problem));
      }
      List<String> sources = new ArrayList<>();
      for (String source : VOLUME_SOURCES) {
        if (volume.get(source).isSet()) {
          sources.add(source);
        }
      }
      if (sources.size() > 1) {
        problems.add(
            volume.path(),
            "a volume has exactly one source, got "
                + sources.size()
                + ": "
                + String.join(", ", sources));
      }
      required(volume.get("configMap", "name"), volume.get("configMap"));
      required(volume.get("secret", "secretName"), volume.get("secret"));
      required(
          volume.get("persistentVolumeClaim", "claimName"), volume.get("persistentVolumeClaim"));
      required(volume.get("hostPath", "path"), volume.get("hostPath"));
      for (String source : List.of("configMap", "secret")) {
        fileMode(volume.get(source, "defaultMode"));
        for (Node item : volume.get(source, "items").items()) {
          keyToPath(item);
        }
      }
      Node sizeLimit = volume.get("emptyDir", "sizeLimit");
      if (sizeLimit.isSet()) {
        notNegativeQuantity(sizeLimit);
      }
    }
    return names;
  }

  private void keyToPath(Node item) {
    if (item.get("key").textOr("").isEmpty()) {
      problems.add(item.get("key").path(), "missing required field");
    }
    Node path = item.get("path");
    if (path.textOr("").isEmpty()) {
      problems.add(path.path(), "missing required field");
    } else {
      relativePath(path);
    }
    fileMode(item.get("mode"));
  }

  private void fileMode(Node mode) {
    if (mode.isInteger() && (mode.number(0) < 0 || mode.number(0) > 0777)) {
      problems.add(
          mode.path(),
          "must be a file mode between 0 and 0777 (octal) or 511 (decimal), got " + mode.number(0));
    }
  }

  private void relativePath(Node path) {
    String text = path.text();
    if (text == null || text.isEmpty()) {
      return;
    }
    if (text.startsWith("/")) {
      problems.add(path.path(), "must be a relative path, got \"" + text + "\"");
    } else if (List.of(text.split("/")).contains("..")) {
      problems.add(path.path(), "must not contain '..', got \"" + text + "\"");
    }
  }

  /**
   * One container; {@code names} holds every container name seen so far in this pod, with the path
   * where it was first used.
   */
  private void container(
      Node container, Set<String> volumes, Map<String, String> names, boolean regular) {
    Node name = container.get("name");
    if (name.textOr("").isEmpty()) {
      problems.add(name.path(), "missing required field");
    } else {
      Optional<String> bad = ObjectNames.checkDnsLabel(name.text(), "container name");
      if (bad.isPresent()) {
        problems.add(name.path(), bad.get());
      } else {
        String first = names.putIfAbsent(name.text(), container.path());
        if (first != null) {
          problems.add(
              name.path(), "duplicate container name \"" + name.text() + "\" (also " + first + ")");
        }
      }
    }
    if (container.get("image").textOr("").isEmpty()) {
      problems.add(container.get("image").path(), "missing required field");
    }
    oneOf(container.get("imagePullPolicy"), PULL_POLICIES);
    oneOf(container.get("terminationMessagePolicy"), List.of("File", "FallbackToLogsOnError"));
    containerPorts(container.get("ports"));
    for (Node variable : container.get("env").items()) {
      env(variable);
    }
    for (Node source : container.get("envFrom").items()) {
      int count =
          (source.get("configMapRef").isSet() ? 1 : 0) + (source.get("secretRef").isSet() ? 1 : 0);
      if (count != 1) {
        problems.add(
            source.path(),
            "needs exactly one of configMapRef or secretRef, got "
                + (count == 0 ? "neither" : "both"));
      }
      if (source.get("prefix").text() != null) {
        ObjectNames.checkEnvName(source.get("prefix").text())
            .ifPresent(problem -> problems.add(source.get("prefix").path(), problem));
      }
    }
    resources(container.get("resources"));
    Set<String> mountPaths = new HashSet<>();
    for (Node mount : container.get("volumeMounts").items()) {
      Node volume = mount.get("name");
      if (volume.textOr("").isEmpty()) {
        problems.add(volume.path(), "missing required field");
      } else if (!volumes.contains(volume.text())) {
        problems.add(
            volume.path(),
            "no volume (or volumeClaimTemplate) is named \""
                + volume.text()
                + "\""
                + suggestion(volume.text(), volumes));
      }
      Node path = mount.get("mountPath");
      if (path.textOr("").isEmpty()) {
        problems.add(path.path(), "missing required field");
      } else if (!mountPaths.add(path.text())) {
        problems.add(path.path(), "\"" + path.text() + "\" is mounted twice in this container");
      }
      relativePath(mount.get("subPath"));
    }
    if (regular) {
      probe(container.get("livenessProbe"), true);
      probe(container.get("startupProbe"), true);
      probe(container.get("readinessProbe"), false);
    }
    Node security = container.get("securityContext");
    userOrGroupId(security.get("runAsUser"));
    userOrGroupId(security.get("runAsGroup"));
    seccomp(security.get("seccompProfile"));
  }

  private void containerPorts(Node ports) {
    Set<String> names = new HashSet<>();
    for (Node port : ports.items()) {
      Node number = port.get("containerPort");
      if (!number.isSet() || number.number(0) == 0) {
        problems.add(number.path(), "missing required field");
      } else {
        portNumber(number);
      }
      Node hostPort = port.get("hostPort");
      if (hostPort.isInteger() && hostPort.number(0) != 0) {
        portNumber(hostPort);
      }
      oneOf(port.get("protocol"), PROTOCOLS);
      String name = port.get("name").text();
      if (name != null && !name.isEmpty()) {
        Optional<String> bad = ObjectNames.checkPortName(name);
        if (bad.isPresent()) {
          problems.add(port.get("name").path(), bad.get());
        } else if (!names.add(name)) {
          problems.add(port.get("name").path(), "duplicate port name \"" + name + "\"");
        }
      }
    }
  }

  private void env(Node variable) {
    Node name = variable.get("name");
    if (name.textOr("").isEmpty()) {
      problems.add(name.path(), "missing required field");
    } else {
      ObjectNames.checkEnvName(name.text())
          .ifPresent(problem -> problems.add(name.path(), problem));
    }
    Node from = variable.get("valueFrom");
    if (!from.isSet()) {
      return;
    }
    List<String> sources = new ArrayList<>();
    for (String source :
        List.of("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef")) {
      if (from.get(source).isSet()) {
        sources.add(source);
      }
    }
    if (sources.isEmpty()) {
      problems.add(
          from.path(),
          "needs one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef or fileKeyRef");
    } else if (!variable.get("value").textOr("").isEmpty()) {
      problems.add(from.path(), "may not be set together with value; keep one of them");
    } else if (sources.size() > 1) {
      problems.add(from.path(), "may set only one source, got " + String.join(", ", sources));
    }
    for (String keyRef : List.of("configMapKeyRef", "secretKeyRef")) {
      Node ref = from.get(keyRef);
      if (!ref.isSet()) {
        continue;
      }
      String refName = ref.get("name").textOr("");
      if (refName.isEmpty()) {
        problems.add(ref.get("name").path(), "missing required field");
      } else {
        ObjectNames.checkSubdomain(refName)
            .ifPresent(problem -> problems.add(ref.get("name").path(), problem));
      }
      Node key = ref.get("key");
      if (key.textOr("").isEmpty()) {
        problems.add(key.path(), "missing required field");
      } else {
        ObjectNames.checkConfigKey(key.text())
            .ifPresent(problem -> problems.add(key.path(), problem));
      }
    }
    Node fieldPath = from.get("fieldRef", "fieldPath");
    if (from.get("fieldRef").isSet()) {
      String path = fieldPath.textOr("");
      if (path.isEmpty()) {
        problems.add(fieldPath.path(), "missing required field");
      } else if (!ENV_FIELD_PATHS.contains(path)
          && !path.matches("metadata\\.(labels|annotations)\\['[^']+'\\]")) {
        problems.add(
            fieldPath.path(),
            "\""
                + path
                + "\" cannot be read into a variable; supported: "
                + String.join(", ", ENV_FIELD_PATHS)
                + ", metadata.labels['KEY'], metadata.annotations['KEY']");
      }
    }
    Node resource = from.get("resourceFieldRef", "resource");
    if (from.get("resourceFieldRef").isSet()
        && !resource
            .textOr("")
            .matches("(limits|requests)\\.(cpu|memory|ephemeral-storage|hugepages-.+)")) {
      problems.add(
          resource.path(),
          "must be limits or requests of cpu, memory, ephemeral-storage or hugepages-*, got "
              + Problems.describe(resource.value()));
    }
  }

  private void resources(Node resources) {
    Node limits = resources.get("limits");
    Node requests = resources.get("requests");
    Map<String, BigDecimal> limitValues = new LinkedHashMap<>();
    for (Map.Entry<String, Node> limit : limits.entries()) {
      resourceName(limit.getKey(), limit.getValue());
      BigDecimal value = notNegativeQuantity(limit.getValue());
      if (value != null) {
        limitValues.put(limit.getKey(), value);
      }
    }
    for (Map.Entry<String, Node> request : requests.entries()) {
      String name = request.getKey();
      resourceName(name, request.getValue());
      BigDecimal value = notNegativeQuantity(request.getValue());
      BigDecimal limit = limitValues.get(name);
      boolean extended = name.contains("/") && !name.startsWith("kubernetes.io/");
      if (value == null) {
        continue;
      }
      if (extended && (limit == null || value.compareTo(limit) != 0)) {
        problems.add(
            request.getValue().path(),
            name + " cannot be overcommitted: its request must equal its limit");
      } else if (limit != null && value.compareTo(limit) > 0) {
        problems.add(
            request.getValue().path(),
            "request "
                + request.getValue().value().asText()
                + " is more than the limit "
                + limits.get(name).value().asText()
                + "; a request must not exceed its limit");
      }
    }
  }

  private void resourceName(String name, Node at) {
    if (name.contains("/")) {
      ObjectNames.checkLabelKey(name, "resource")
          .ifPresent(problem -> problems.add(at.path(), problem));
    } else if (!STANDARD_RESOURCES.contains(name) && !name.startsWith("hugepages-")) {
      problems.add(
          at.path(),
          "unknown resource \""
              + name
              + "\": a container asks for cpu, memory, ephemeral-storage, hugepages-<size> or an"
              + " extended resource with a domain (such as nvidia.com/gpu)"
              + suggestion(name, STANDARD_RESOURCES));
    }
  }

  /** The value of a quantity, reported when negative; null when not a quantity. */
  private BigDecimal notNegativeQuantity(Node quantity) {
    BigDecimal value = Quantities.value(quantity.value().asText());
    if (value != null && value.signum() < 0) {
      problems.add(quantity.path(), "must not be negative, got " + quantity.value().asText());
    }
    return value;
  }

  private void probe(Node probe, boolean successMustBeOne) {
    if (!probe.isSet()) {
      return;
    }
    List<String> handlers = new ArrayList<>();
    for (String handler : List.of("exec", "httpGet", "tcpSocket", "grpc")) {
      if (probe.get(handler).isSet()) {
        handlers.add(handler);
      }
    }
    if (handlers.isEmpty()) {
      problems.add(probe.path(), "needs a handler: one of exec, httpGet, tcpSocket or grpc");
    } else if (handlers.size() > 1) {
      problems.add(probe.path(), "may have only one handler, got " + String.join(", ", handlers));
    }
    if (probe.get("exec").isSet() && probe.get("exec", "command").size() == 0) {
      problems.add(probe.get("exec", "command").path(), "missing required field");
    }
    Node http = probe.get("httpGet");
    if (http.isSet()) {
      portOrName(http.get("port"));
      oneOf(http.get("scheme"), List.of("HTTP", "HTTPS"));
      for (Node header : http.get("httpHeaders").items()) {
        if (!header.get("name").textOr("").matches("[-A-Za-z0-9]+")) {
          problems.add(
              header.get("name").path(),
              "an HTTP header name is letters, digits and '-', got "
                  + Problems.describe(header.get("name").value()));
        }
      }
    }
    if (probe.get("tcpSocket").isSet()) {
      portOrName(probe.get("tcpSocket", "port"));
    }
    if (probe.get("grpc").isSet()) {
      portNumber(probe.get("grpc", "port"));
    }
    for (String field :
        List.of(
            "initialDelaySeconds",
            "timeoutSeconds",
            "periodSeconds",
            "successThreshold",
            "failureThreshold")) {
      nonNegative(probe.get(field));
    }
    Node success = probe.get("successThreshold");
    if (successMustBeOne && success.isInteger() && success.number(1) > 1) {
      problems.add(
          success.path(), "must be 1 for liveness and startup probes, got " + success.number(1));
    }
    Node grace = probe.get("terminationGracePeriodSeconds");
    if (grace.isInteger() && grace.number(1) <= 0) {
      problems.add(grace.path(), "must be greater than 0, got " + grace.number(1));
    }
  }

  private void toleration(Node toleration) {
    String operator = toleration.get("operator").textOr("Equal");
    oneOf(toleration.get("operator"), List.of("Equal", "Exists"));
    String key = toleration.get("key").textOr("");
    if (!key.isEmpty()) {
      ObjectNames.checkLabelKey(key, "toleration")
          .ifPresent(problem -> problems.add(toleration.get("key").path(), problem));
    } else if (operator.equals("Equal")) {
      problems.add(toleration.get("operator").path(), "must be Exists when key is empty");
    }
    if (operator.equals("Exists") && !toleration.get("value").textOr("").isEmpty()) {
      problems.add(toleration.get("value").path(), "must be empty when operator is Exists");
    }
    oneOf(toleration.get("effect"), List.of("NoSchedule", "PreferNoSchedule", "NoExecute"));
  }

  private void seccomp(Node profile) {
    if (!profile.isSet()) {
      return;
    }
    String type = profile.get("type").textOr("");
    if (type.isEmpty()) {
      problems.add(profile.get("type").path(), "missing required field");
      return;
    }
    oneOf(profile.get("type"), List.of("RuntimeDefault", "Unconfined", "Localhost"));
    if (type.equals("Localhost") && profile.get("localhostProfile").textOr("").isEmpty()) {
      problems.add(
          profile.get("localhostProfile").path(), "missing required field (type is Localhost)");
    }
  }

  private void userOrGroupId(Node id) {
    if (id.isInteger() && (id.number(0) < 0 || id.number(0) > Integer.MAX_VALUE)) {
      problems.add(id.path(), "must be between 0 and 2147483647, got " + id.number(0));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // selectors

  /**
   * Checks a label selector; returns it for matching against template labels, or null when it
   * cannot be matched (absent and not required, or invalid).
   */
  private Node selector(Node selector, boolean required, String kind) {
    if (problems.touchesTypeError(selector.path())) {
      return null;
    }
    if (!selector.isSet()) {
      if (required) {
        problems.add(
            selector.path(),
            "missing required field: a " + kind + " selects its pods by labels (matchLabels)");
      }
      return null;
    }
    boolean valid = true;
    Node matchLabels = selector.get("matchLabels");
    int before = problems.size();
    labels(matchLabels);
    valid &= problems.size() == before;
    for (Node expression : selector.get("matchExpressions").items()) {
      before = problems.size();
      expression(expression);
      valid &= problems.size() == before;
    }
    if (required && matchLabels.size() + selector.get("matchExpressions").size() == 0) {
      problems.add(selector.path(), "must not be empty: an empty selector would select every pod");
      return null;
    }
    return valid ? selector : null;
  }

  private void expression(Node expression) {
    String key = expression.get("key").textOr("");
    if (key.isEmpty()) {
      problems.add(expression.get("key").path(), "missing required field");
    } else {
      ObjectNames.checkLabelKey(key, "label")
          .ifPresent(problem -> problems.add(expression.get("key").path(), problem));
    }
    Node operator = expression.get("operator");
    String op = operator.textOr("");
    int values = expression.get("values").size();
    switch (op) {
      case "In", "NotIn" -> {
        if (values == 0) {
          problems.add(expression.get("values").path(), "must list at least one value for " + op);
        }
      }
      case "Exists", "DoesNotExist" -> {
        if (values > 0) {
          problems.add(expression.get("values").path(), "must be empty for " + op);
        }
      }
      default ->
          problems.add(
              operator.path(),
              op.isEmpty()
                  ? "missing required field"
                  : "must be one of In, NotIn, Exists, DoesNotExist; got \"" + op + "\"");
    }
    for (Node value : expression.get("values").items()) {
      if (value.text() != null) {
        ObjectNames.checkLabelValue(value.text())
            .ifPresent(problem -> problems.add(value.path(), problem));
      }
    }
  }

  /** Whether {@code labels} satisfy {@code selector}, as Kubernetes' label selectors match. */
  private static boolean matches(Node selector, Node labels) {
    Map<String, String> set = new HashMap<>();
    for (Map.Entry<String, Node> label : labels.entries()) {
      set.put(label.getKey(), label.getValue().value().asText());
    }
    for (Map.Entry<String, Node> wanted : selector.get("matchLabels").entries()) {
      if (!wanted.getValue().value().asText().equals(set.get(wanted.getKey()))) {
        return false;
      }
    }
    for (Node expression : selector.get("matchExpressions").items()) {
      String key = expression.get("key").textOr("");
      List<String> values = new ArrayList<>();
      expression.get("values").items().forEach(value -> values.add(value.value().asText()));
      boolean has = set.containsKey(key);
      boolean ok =
          switch (expression.get("operator").textOr("")) {
            case "In" -> has && values.contains(set.get(key));
            case "NotIn" -> !has || !values.contains(set.get(key));
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String describeSelector(Node selector) {
    List<String> parts = new ArrayList<>();
    selector
        .get("matchLabels")
        .entries()
        .forEach(entry -> parts.add(entry.getKey() + "=" + entry.getValue().value().asText()));
    for (Node expression : selector.get("matchExpressions").items()) {
      parts.add(
          expression.get("key").textOr("")
              + " "
              + expression.get("operator").textOr("")
              + (expression.get("values").size() > 0
                  ? " " + expression.get("values").value()
                  : ""));
    }
    return String.join(", ", parts);
  }

  // ---------------------------------------------------------------------------------------------
  // services, configuration, storage, policy

  private void service(Node spec) {
    String type = spec.get("type").textOr("ClusterIP");
    oneOf(spec.get("type"), List.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"));
    boolean headless = "None".equals(spec.get("clusterIP").text());
    Node ports = spec.get("ports");
    if (ports.size() == 0 && !headless && !type.equals("ExternalName")) {
      problems.add(ports.path(), "missing required field: a Service needs at least one port");
    }
    Set<String> names = new HashSet<>();
    Set<String> portProtocols = new HashSet<>();
    for (Node port : ports.items()) {
      Node name = port.get("name");
      if (ports.size() > 1 && name.textOr("").isEmpty()) {
        problems.add(
            name.path(), "missing required field: a Service with several ports names each");
      } else if (!name.textOr("").isEmpty()) {
        Optional<String> bad = ObjectNames.checkDnsLabel(name.text(), "port name");
        if (bad.isPresent()) {
          problems.add(name.path(), bad.get());
        } else if (!names.add(name.text())) {
          problems.add(name.path(), "duplicate port name \"" + name.text() + "\"");
        }
      }
      Node number = port.get("port");
      if (!number.isSet()) {
        problems.add(number.path(), "missing required field");
      } else {
        portNumber(number);
      }
      oneOf(port.get("protocol"), PROTOCOLS);
      Node target = port.get("targetPort");
      if (target.isSet() && !(target.isInteger() && target.number(0) == 0)) {
        portOrName(target);
      }
      Node nodePort = port.get("nodePort");
      if (nodePort.isInteger() && nodePort.number(0) != 0) {
        if (type.equals("ClusterIP")) {
          problems.add(nodePort.path(), "may not be set when type is ClusterIP");
        } else {
          portNumber(nodePort);
        }
      }
      String key = port.get("protocol").textOr("TCP") + "/" + number.number(0);
      if (number.isInteger() && !portProtocols.add(key)) {
        problems.add(port.path(), "duplicate port " + key.replace('/', ' '));
      }
    }
    labels(spec.get("selector"));
    oneOf(spec.get("sessionAffinity"), List.of("None", "ClientIP"));
    if (type.equals("ExternalName")) {
      String name = spec.get("externalName").textOr("");
      if (name.isEmpty()) {
        problems.add(
            spec.get("externalName").path(), "missing required field (type is ExternalName)");
      } else {
        String cname = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        ObjectNames.checkSubdomain(cname)
            .ifPresent(problem -> problems.add(spec.get("externalName").path(), problem));
      }
    } else if (headless && (type.equals("NodePort") || type.equals("LoadBalancer"))) {
      problems.add(spec.get("clusterIP").path(), "may not be None for a " + type + " Service");
    }
    oneOf(spec.get("externalTrafficPolicy"), List.of("Cluster", "Local"));
    oneOf(spec.get("internalTrafficPolicy"), List.of("Cluster", "Local"));
    oneOf(
        spec.get("ipFamilyPolicy"), List.of("SingleStack", "PreferDualStack", "RequireDualStack"));
  }

  private void configMap(Node configMap) {
    long size = 0;
    Set<String> binaryKeys = new HashSet<>();
    for (Map.Entry<String, Node> entry : configMap.get("binaryData").entries()) {
      dataKey(entry.getKey(), entry.getValue());
      binaryKeys.add(entry.getKey());
      size += base64(entry.getValue());
    }
    for (Map.Entry<String, Node> entry : configMap.get("data").entries()) {
      dataKey(entry.getKey(), entry.getValue());
      if (binaryKeys.contains(entry.getKey())) {
        problems.add(
            entry.getValue().path(), "the same key is in binaryData; keep it in one of them");
      }
      size += utf8Length(entry.getValue().textOr(""));
    }
    tooLarge(configMap, size, "a ConfigMap");
  }

  private void secret(Node secret) {
    long size = 0;
    Set<String> keys = new HashSet<>();
    for (Map.Entry<String, Node> entry : secret.get("data").entries()) {
      dataKey(entry.getKey(), entry.getValue());
      keys.add(entry.getKey());
      size += base64(entry.getValue());
    }
    for (Map.Entry<String, Node> entry : secret.get("stringData").entries()) {
      dataKey(entry.getKey(), entry.getValue());
      keys.add(entry.getKey());
      size += utf8Length(entry.getValue().textOr(""));
    }
    tooLarge(secret, size, "a Secret");
    String type = secret.get("type").textOr("Opaque");
    List<String> needed =
        switch (type) {
          case "kubernetes.io/dockercfg" -> List.of(".dockercfg");
          case "kubernetes.io/dockerconfigjson" -> List.of(".dockerconfigjson");
          case "kubernetes.io/ssh-auth" -> List.of("ssh-privatekey");
          case "kubernetes.io/tls" -> List.of("tls.crt", "tls.key");
          default -> List.of();
        };
    for (String key : needed) {
      if (!keys.contains(key)) {
        problems.add(
            secret.get("data").path(),
            "a Secret of type " + type + " needs the key " + key + " (in data or stringData)");
      }
    }
    if (type.equals("kubernetes.io/basic-auth")
        && !keys.contains("username")
        && !keys.contains("password")) {
      problems.add(
          secret.get("data").path(),
          "a Secret of type kubernetes.io/basic-auth needs the key username or password");
    }
    if (type.equals("kubernetes.io/service-account-token")
        && secret
            .get("metadata", "annotations", "kubernetes.io/service-account.name")
            .textOr("")
            .isEmpty()) {
      problems.add(
          secret.get("metadata", "annotations").path(),
          "a Secret of type kubernetes.io/service-account-token needs the annotation"
              + " kubernetes.io/service-account.name");
    }
  }

  private void dataKey(String key, Node at) {
    ObjectNames.checkConfigKey(key).ifPresent(problem -> problems.add(at.path(), problem));
  }

  /**
   * Decodes base64 as Go's encoding/json decodes a []byte: standard alphabet, padded; it skips only
   * line breaks. Returns the decoded length, 0 after reporting a bad value.
   */
  private long base64(Node value) {
    String text = value.text();
    if (text == null) {
      return 0;
    }
    String compact = text.replace("\r", "").replace("\n", "");
    boolean valid = compact.length() % 4 == 0 && compact.matches("[A-Za-z0-9+/]*={0,2}");
    if (valid) {
      try {
        return Base64.getDecoder().decode(compact).length;
      } catch (IllegalArgumentException e) {
        valid = false;
      }
    }
    problems.add(
        value.path(),
        "not valid base64"
            + (text.length() <= 40 ? " (\"" + text + "\")" : "")
            + ": values under data are base64-encoded; encode it (base64 -w0) or move it to"
            + " stringData");
    return 0;
  }

  private void tooLarge(Node object, long size, String what) {
    if (size > MAX_DATA_BYTES) {
      problems.add(
          object.get("data").path(),
          what + " holds at most 1 MiB (1048576 bytes) of data, got " + size);
    }
  }

  private void claimSpec(Node spec) {
    Node modes = spec.get("accessModes");
    if (modes.size() == 0) {
      problems.add(
          modes.path(), "missing required field: at least one access mode, such as ReadWriteOnce");
    }
    for (Node mode : modes.items()) {
      oneOf(mode, List.of("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"));
    }
    Node storage = spec.get("resources", "requests", "storage");
    if (!storage.isSet()) {
      problems.add(
          storage.path(), "missing required field: how much storage to ask for, such as 10Gi");
    } else {
      BigDecimal value = Quantities.value(storage.value().asText());
      if (value != null && value.signum() <= 0) {
        problems.add(storage.path(), "must be greater than zero, got " + storage.value().asText());
      }
    }
    oneOf(spec.get("volumeMode"), List.of("Filesystem", "Block"));
    subdomain(spec.get("storageClassName"), "storageClassName");
  }

  private void disruptionBudget(Node spec) {
    Node minAvailable = spec.get("minAvailable");
    Node maxUnavailable = spec.get("maxUnavailable");
    if (minAvailable.isSet() && maxUnavailable.isSet()) {
      problems.add(spec.path(), "set minAvailable or maxUnavailable, not both");
    }
    if (minAvailable.isSet()) {
      intOrPercent(minAvailable, true);
    }
    if (maxUnavailable.isSet()) {
      intOrPercent(maxUnavailable, true);
    }
    selector(spec.get("selector"), false, "PodDisruptionBudget");
  }

  private void autoscaler(Node spec) {
    Node target = spec.get("scaleTargetRef");
    for (String field : List.of("kind", "name")) {
      if (target.get(field).textOr("").isEmpty()) {
        problems.add(target.get(field).path(), "missing required field");
      }
    }
    Node min = spec.get("minReplicas");
    Node max = spec.get("maxReplicas");
    if (min.isInteger() && min.number(1) < 1) {
      problems.add(min.path(), "must be at least 1, got " + min.number(1));
    }
    if (!max.isSet()) {
      problems.add(max.path(), "missing required field");
    } else if (max.number(1) < 1) {
      problems.add(max.path(), "must be at least 1, got " + max.number(1));
    } else if (max.number(1) < min.number(1)) {
      problems.add(max.path(), "must be at least minReplicas (" + min.number(1) + ")");
    }
  }

  private void ingress(Node spec) {
    Node defaultBackend = spec.get("defaultBackend");
    if (defaultBackend.isSet()) {
      backend(defaultBackend);
    }
    for (Node rule : spec.get("rules").items()) {
      String host = rule.get("host").textOr("");
      if (!host.isEmpty()) {
        String plain = host.startsWith("*.") ? host.substring(2) : host;
        ObjectNames.checkSubdomain(plain)
            .ifPresent(problem -> problems.add(rule.get("host").path(), problem));
      }
      Node http = rule.get("http");
      if (!http.isSet()) {
        continue;
      }
      if (http.get("paths").size() == 0) {
        problems.add(http.get("paths").path(), "missing required field: at least one path");
      }
      for (Node path : http.get("paths").items()) {
        Node pathType = path.get("pathType");
        if (!pathType.isSet()) {
          problems.add(
              pathType.path(), "missing required field: Exact, Prefix or ImplementationSpecific");
        } else {
          oneOf(pathType, List.of("Exact", "Prefix", "ImplementationSpecific"));
        }
        String value = path.get("path").textOr("");
        if (!value.isEmpty() && !value.startsWith("/")) {
          problems.add(
              path.get("path").path(),
              "must be an absolute path (start with '/'), got \"" + value + "\"");
        } else if (value.isEmpty()
            && !"ImplementationSpecific".equals(pathType.text())
            && pathType.isSet()) {
          problems.add(
              path.get("path").path(),
              "missing required field (pathType is " + pathType.text() + ")");
        }
        backend(path.get("backend"));
      }
    }
  }

  private void backend(Node backend) {
    Node service = backend.get("service");
    Node resource = backend.get("resource");
    if (service.isSet() == resource.isSet()) {
      problems.add(
          backend.path(),
          "needs exactly one of service or resource, got "
              + (service.isSet() ? "both" : "neither"));
    }
    if (!service.isSet()) {
      return;
    }
    Node name = service.get("name");
    if (name.textOr("").isEmpty()) {
      problems.add(name.path(), "missing required field");
    } else {
      ObjectNames.checkDns1035Label(name.text())
          .ifPresent(problem -> problems.add(name.path(), problem));
    }
    Node port = service.get("port");
    boolean hasName = !port.get("name").textOr("").isEmpty();
    boolean hasNumber = port.get("number").isInteger() && port.get("number").number(0) != 0;
    if (hasName == hasNumber) {
      problems.add(
          port.path(),
          "needs exactly one of name or number, got " + (hasName ? "both" : "neither"));
    } else if (hasNumber) {
      portNumber(port.get("number"));
    } else {
      ObjectNames.checkPortName(port.get("name").text())
          .ifPresent(problem -> problems.add(port.get("name").path(), problem));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // small rules

  private void nonNegative(Node value) {
    if (value.isInteger() && value.number(0) < 0) {
      problems.add(value.path(), "must not be negative, got " + value.number(0));
    }
  }

  private void portNumber(Node port) {
    if (port.isInteger() && (port.number(0) < 1 || port.number(0) > 65535)) {
      problems.add(port.path(), "must be a port number between 1 and 65535, got " + port.number(0));
    } else if (!port.isSet()) {
      problems.add(port.path(), "missing required field");
    }
  }

  private void portOrName(Node port) {
    if (!port.isSet()) {
      problems.add(port.path(), "missing required field: a port number or the name of a port");
    } else if (port.isInteger()) {
      portNumber(port);
    } else {
      ObjectNames.checkPortName(port.value().asText())
          .ifPresent(
              problem ->
                  problems.add(
                      port.path(),
                      port.value().asText().matches("[0-9]+")
                          ? "\""
                              + port.value().asText()
                              + "\" is a string; write the port number without quotes"
                          : problem));
    }
  }

  /**
   * An IntOrString that must be a non-negative integer or a percentage of at most 100% (and not 0
   * unless {@code allowZero}); returns its value, or -1 when invalid.
   */
  private long intOrPercent(Node value, boolean allowZero) {
    long number;
    if (value.isInteger()) {
      number = value.number(0);
      if (number < 0) {
        problems.add(value.path(), "must not be negative, got " + number);
        return -1;
      }
    } else {
      String text = value.value().asText();
      if (!ObjectNames.isPercent(text)) {
        problems.add(
            value.path(), "must be a number or a percentage such as 25%, got \"" + text + "\"");
        return -1;
      }
      number = Long.parseLong(text.substring(0, text.length() - 1));
      if (number > 100) {
        problems.add(value.path(), "must not be more than 100%, got " + text);
        return -1;
      }
    }
    if (number == 0 && !allowZero) {
      problems.add(value.path(), "must not be 0");
    }
    return number;
  }

  /** A string field that, when set, must be one of {@code allowed}. */
  private void oneOf(Node value, List<String> allowed) {
    String text = value.text();
    if (text == null || text.isEmpty() || allowed.contains(text)) {
      return;
    }
    problems.add(
        value.path(),
        "must be one of "
            + String.join(", ", allowed)
            + "; got \""
            + text
            + "\""
            + suggestion(text, allowed));
  }

  private void subdomain(Node value, String what) {
    String text = value.textOr("");
    if (!text.isEmpty()) {
      ObjectNames.checkSubdomain(text)
          .ifPresent(
              problem -> problems.add(value.path(), problem.replace("name \"", what + " \"")));
    }
  }

  private void dnsLabel(Node value, String what) {
    String text = value.textOr("");
    if (!text.isEmpty()) {
      ObjectNames.checkDnsLabel(text, what)
          .ifPresent(problem -> problems.add(value.path(), problem));
    }
  }

  /** Reports {@code value} missing when {@code parent} is set but {@code value} is empty. */
  private void required(Node value, Node parent) {
    if (parent.isSet() && value.textOr("").isEmpty()) {
      problems.add(value.path(), "missing required field");
    }
  }

  private static String suggestion(String text, Collection<String> candidates) {
    String closest = Suggestions.closest(text, candidates);
    return closest == null || closest.equals(text) ? "" : "; did you mean \"" + closest + "\"?";
  }

  private static long utf8Length(String text) {
    long length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      length += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return length;
  }
}
