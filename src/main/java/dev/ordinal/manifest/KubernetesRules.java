package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API server's validation of the kinds people commit, checked offline: what Kubernetes 1.35's
 * {@code pkg/apis/*}/validation rejects for StatefulSets, Deployments, DaemonSets, ReplicaSets,
 * Jobs, CronJobs, Pods, Services, ConfigMaps, Secrets, PersistentVolumeClaims,
 * PodDisruptionBudgets, HorizontalPodAutoscalers and Ingresses, after the server's defaults are
 * applied (an absent {@code podManagementPolicy} is OrderedReady, not an error).
 *
 * <p>Pod templates are {@link PodRules}' to check. Rules run on the document's tree after {@link
 * FieldSchema} has reported every value of the wrong type; {@link Problems} drops what a rule would
 * say about those again. Each rule reports in words that say what to write instead.
 */
final class KubernetesRules extends RuleChecks {

  private static final long MAX_DATA_BYTES = 1024 * 1024;
  private static final List<String> ALWAYS = List.of("Always");
  private static final List<String> RETAIN_OR_DELETE = List.of("Retain", "Delete");

  private final PodRules pods;

  private KubernetesRules(Problems problems) {
    super(problems);
    this.pods = new PodRules(problems);
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
      case "Pod" -> rules.pods.podSpec(object.get("spec"), Set.of(), PodRules.RESTART_POLICIES);
      case "PodTemplate" ->
          rules.pods.podTemplate(object.get("template"), null, PodRules.RESTART_POLICIES, Set.of());
      case "Service" -> rules.service(object.get("spec"));
      case "ConfigMap" -> rules.configMap(object);
      case "Secret" -> rules.secret(object);
      case "PersistentVolumeClaim" -> rules.claimSpec(object.get("spec"));
      case "PodDisruptionBudget" -> rules.disruptionBudget(object.get("spec"));
      case "HorizontalPodAutoscaler" -> rules.autoscaler(object.get("spec"));
      case "Ingress" -> rules.ingress(object.get("spec"));
      case "Role" -> rules.policyRules(object.get("rules"), true);
      case "ClusterRole" -> rules.policyRules(object.get("rules"), false);
      case "RoleBinding" -> rules.binding(object, true);
      case "ClusterRoleBinding" -> rules.binding(object, false);
      case "NetworkPolicy" -> rules.networkPolicy(object.get("spec"));
      case "StorageClass" -> rules.storageClass(object);
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

  // ---------------------------------------------------------------------------------------------
  // workloads

  private void statefulSet(Node spec) {
    Set<String> claimNames = new HashSet<>();
    // The fields checked on their own, each only when it is there; the template is checked below
    // with the selector and the claims it may mount.
    for (Node field : spec.fields()) {
      switch (field.name()) {
        case "replicas", "minReadySeconds" -> nonNegative(field);
        case "ordinals" -> nonNegative(field.get("start"));
        case "serviceName" -> dnsLabel(field, "serviceName");
        case "podManagementPolicy" -> oneOf(field, List.of("OrderedReady", "Parallel"));
        case "updateStrategy" -> statefulSetStrategy(field);
        case "persistentVolumeClaimRetentionPolicy" -> {
          oneOf(field.get("whenDeleted"), RETAIN_OR_DELETE);
          oneOf(field.get("whenScaled"), RETAIN_OR_DELETE);
        }
        case "volumeClaimTemplates" -> {
          for (Node claim : field.items()) {
            claimSpec(claim.get("spec"));
            String name = claim.get("metadata", "name").text();
            if (name != null) {
              claimNames.add(name);
            }
          }
        }
        default -> {}
      }
    }
    Node template = spec.get("template");
    Node selector = selector(spec.get("selector"), true, "StatefulSet");
    pods.podTemplate(template, selector, ALWAYS, claimNames);
    if (template.get("spec", "activeDeadlineSeconds").isSet()) {
      problems.add(
          template.get("spec", "activeDeadlineSeconds").path(),
          "not supported for a StatefulSet's pods; remove it");
    }
  }

  private void statefulSetStrategy(Node strategy) {
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
      surgeAndUnavailable(rolling, true);
    }
    // An absent deadline is 600 s by default, and checked as such.
    Node deadline = spec.get("progressDeadlineSeconds");
    long minReady = spec.get("minReadySeconds").number(0);
    if (deadline.number(600) <= minReady) {
      problems.add(
          deadline.isSet() ? deadline.path() : spec.get("minReadySeconds").path(),
          deadline.isSet()
              ? "must be greater than minReadySeconds"
              : "must be less than progressDeadlineSeconds (600 by default); raise that too");
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
      surgeAndUnavailable(strategy.get("rollingUpdate"), false);
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
    pods.podTemplate(
        spec.get("template"), selector(spec.get("selector"), true, kind), ALWAYS, Set.of());
  }

  /**
   * maxSurge and maxUnavailable of a rolling update: not negative, not both zero once defaults are
   * applied (a Deployment surges 25% by default, a DaemonSet not at all).
   */
  private void surgeAndUnavailable(Node rolling, boolean surgesByDefault) {
    Node surge = rolling.get("maxSurge");
    Node unavailable = rolling.get("maxUnavailable");
    boolean surgeZero = surge.isSet() ? intOrPercent(surge, true) == 0 : !surgesByDefault;
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
    pods.podTemplate(
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
    pods.podTemplate(jobSpec.get("template"), null, List.of("OnFailure", "Never"), Set.of());
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
            .ifPresent(
                problem ->
                    problems.add(
                        spec.get("externalName").path(),
                        problem.replace("invalid name", "invalid externalName")));
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
    size += base64Data(configMap.get("binaryData"), binaryKeys, false);
    for (Node entry : configMap.get("data").fields()) {
      dataKey(entry);
      if (binaryKeys.contains(entry.name())) {
        problems.add(entry.path(), "the same key is in binaryData; keep it in one of them");
      }
      size += utf8Length(entry.textOr(""));
    }
    tooLarge(configMap, size, "a ConfigMap");
  }

  private void secret(Node secret) {
    long size = 0;
    Set<String> keys = new HashSet<>();
    // A Secret's value is never echoed: errors reach /status, logs and Events.
    size += base64Data(secret.get("data"), keys, true);
    for (Node entry : secret.get("stringData").fields()) {
      dataKey(entry);
      keys.add(entry.name());
      size += utf8Length(entry.textOr(""));
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

  /**
   * Checks the keys and base64 values of a Secret's data or a ConfigMap's binaryData, adding each
   * key to {@code keys}; returns how many bytes the values decode to.
   */
  private long base64Data(Node data, Set<String> keys, boolean secret) {
    long size = 0;
    for (Node entry : data.fields()) {
      dataKey(entry);
      keys.add(entry.name());
      size += base64(entry, secret);
    }
    return size;
  }

  private void dataKey(Node entry) {
    ObjectNames.checkConfigKey(entry.name())
        .ifPresent(problem -> problems.add(entry.path(), problem));
  }

  /**
   * Decodes base64 as Go's encoding/json decodes a []byte: standard alphabet, padded; it skips only
   * line breaks. Returns the decoded length, 0 after reporting a bad value, quoted only if short
   * and not a Secret's.
   */
  private long base64(Node value, boolean secret) {
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
            + (!secret && text.length() <= 40 ? " (\"" + text + "\")" : "")
            + (secret
                ? ": values under data are base64-encoded; encode it (base64 -w0) or move it to"
                    + " stringData"
                : ": values under binaryData are base64-encoded; encode it (base64 -w0) or move"
                    + " it to data"));
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
            .ifPresent(
                problem ->
                    problems.add(
                        rule.get("host").path(), problem.replace("invalid name", "invalid host")));
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
  // access and network policies, storage classes

  private void policyRules(Node rules, boolean namespaced) {
    for (Node rule : rules.items()) {
      if (rule.get("verbs").size() == 0) {
        problems.add(
            rule.get("verbs").path(), "missing required field: at least one verb, such as get");
      }
      if (rule.get("nonResourceURLs").size() > 0) {
        if (namespaced) {
          problems.add(
              rule.get("nonResourceURLs").path(),
              "a Role cannot grant non-resource URLs; use a ClusterRole");
        } else if (rule.get("apiGroups").size() + rule.get("resources").size() > 0) {
          problems.add(
              rule.get("nonResourceURLs").path(),
              "a rule is either for resources or for non-resource URLs, not both; split it");
        }
        continue;
      }
      if (rule.get("apiGroups").size() == 0) {
        problems.add(
            rule.get("apiGroups").path(),
            "missing required field: at least one API group (\"\" for the core group, as for pods)");
      }
      if (rule.get("resources").size() == 0) {
        problems.add(rule.get("resources").path(), "missing required field: at least one resource");
      }
    }
  }

  private void binding(Node binding, boolean namespaced) {
    Node roleRef = binding.get("roleRef");
    // An absent apiGroup is defaulted; a wrong one is refused.
    String group = roleRef.get("apiGroup").textOr("rbac.authorization.k8s.io");
    if (!group.equals("rbac.authorization.k8s.io")) {
      problems.add(
          roleRef.get("apiGroup").path(),
          "must be rbac.authorization.k8s.io, got \""
              + group
              + "\""
              + (group.startsWith("rbac.authorization.k8s.io/")
                  ? " (a group has no version)"
                  : ""));
    }
    oneOf(roleRef.get("kind"), List.of("Role", "ClusterRole"));
    if (roleRef.get("kind").textOr("").isEmpty()) {
      problems.add(roleRef.get("kind").path(), "missing required field: Role or ClusterRole");
    }
    if (roleRef.get("name").textOr("").isEmpty()) {
      problems.add(roleRef.get("name").path(), "missing required field");
    }
    for (Node subject : binding.get("subjects").items()) {
      if (subject.get("name").textOr("").isEmpty()) {
        problems.add(subject.get("name").path(), "missing required field");
      }
      String kind = subject.get("kind").textOr("");
      String apiGroup = subject.get("apiGroup").textOr("");
      switch (kind) {
        case "ServiceAccount" -> {
          if (!apiGroup.isEmpty()) {
            problems.add(subject.get("apiGroup").path(), "must be empty for a ServiceAccount");
          }
          if (!namespaced && subject.get("namespace").textOr("").isEmpty()) {
            problems.add(
                subject.get("namespace").path(),
                "missing required field: a ClusterRoleBinding names the ServiceAccount's namespace");
          }
        }
        case "User", "Group" -> {
          if (!apiGroup.isEmpty() && !apiGroup.equals("rbac.authorization.k8s.io")) {
            problems.add(
                subject.get("apiGroup").path(), "must be rbac.authorization.k8s.io for a " + kind);
          }
        }
        default ->
            problems.add(
                subject.get("kind").path(),
                kind.isEmpty()
                    ? "missing required field: ServiceAccount, User or Group"
                    : "must be one of ServiceAccount, User, Group; got \""
                        + kind
                        + "\""
                        + suggestion(kind, List.of("ServiceAccount", "User", "Group")));
      }
    }
  }

  private void networkPolicy(Node spec) {
    for (Node type : spec.get("policyTypes").items()) {
      oneOf(type, List.of("Ingress", "Egress"));
    }
    for (String direction : List.of("ingress", "egress")) {
      for (Node rule : spec.get(direction).items()) {
        for (Node port : rule.get("ports").items()) {
          oneOf(port.get("protocol"), PROTOCOLS);
          Node number = port.get("port");
          if (number.isSet()) {
            portOrName(number);
          }
          Node end = port.get("endPort");
          if (end.isInteger()) {
            if (!number.isInteger()) {
              problems.add(end.path(), "needs port to be a number");
            } else if (end.number(0) < number.number(0)) {
              problems.add(end.path(), "must not be less than port (" + number.number(0) + ")");
            }
          }
        }
        for (Node peer : rule.get(direction.equals("ingress") ? "from" : "to").items()) {
          if (peer.get("ipBlock").isSet() && peer.get("ipBlock", "cidr").textOr("").isEmpty()) {
            problems.add(peer.get("ipBlock", "cidr").path(), "missing required field");
          }
        }
      }
    }
  }

  private void storageClass(Node storageClass) {
    Node provisioner = storageClass.get("provisioner");
    if (provisioner.textOr("").isEmpty()) {
      problems.add(provisioner.path(), "missing required field");
    }
    oneOf(storageClass.get("reclaimPolicy"), List.of("Delete", "Retain"));
    oneOf(storageClass.get("volumeBindingMode"), List.of("Immediate", "WaitForFirstConsumer"));
  }
}
