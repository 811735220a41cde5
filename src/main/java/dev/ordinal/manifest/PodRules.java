package dev.ordinal.manifest;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The API server's validation of pod templates and pod specs (Kubernetes 1.35's
 * pkg/apis/core/validation): containers, ports, environment, resources, volumes and their mounts,
 * probes, tolerations and security contexts, after the server's defaults are applied.
 */
final class PodRules extends RuleChecks {

  static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
  private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
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

  PodRules(Problems problems) {
    super(problems);
  }

  /**
   * Checks a pod template: its labels match the selector (when there is one) and its pod spec.
   *
   * @param restartPolicies the restart policies this kind allows; the first is the one to suggest
   */
  void podTemplate(
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

  void podSpec(Node spec, Set<String> claimNames, List<String> restartPolicies) {
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
    Map<String, Node> names = new HashMap<>();
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
    topologySpread(spec.get("topologySpreadConstraints"));
    affinity(spec.get("affinity"));
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
   * One container; {@code names} holds every container name seen so far in this pod, with the
   * container that first used it (its path is spelled out only for a duplicate).
   */
  private void container(
      Node container, Set<String> volumes, Map<String, Node> names, boolean regular) {
    Node name = container.get("name");
    if (name.textOr("").isEmpty()) {
      problems.add(name.path(), "missing required field");
    } else {
      Optional<String> bad = ObjectNames.checkDnsLabel(name.text(), "container name");
      if (bad.isPresent()) {
        problems.add(name.path(), bad.get());
      } else {
        Node first = names.putIfAbsent(name.text(), container);
        if (first != null) {
          problems.add(
              name.path(),
              "duplicate container name \"" + name.text() + "\" (also " + first.path() + ")");
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
    for (String hook : List.of("postStart", "preStop")) {
      lifecycleHandler(container.get("lifecycle", hook));
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

  private void lifecycleHandler(Node handler) {
    if (!handler.isSet()) {
      return;
    }
    List<String> kinds = new ArrayList<>();
    for (String kind : List.of("exec", "httpGet", "tcpSocket", "sleep")) {
      if (handler.get(kind).isSet()) {
        kinds.add(kind);
      }
    }
    if (kinds.size() != 1) {
      problems.add(
          handler.path(),
          kinds.isEmpty()
              ? "needs a handler: one of exec, httpGet, tcpSocket or sleep"
              : "may have only one handler, got " + String.join(", ", kinds));
    }
    if (handler.get("httpGet").isSet()) {
      portOrName(handler.get("httpGet", "port"));
    }
    if (handler.get("tcpSocket").isSet()) {
      portOrName(handler.get("tcpSocket", "port"));
    }
    nonNegative(handler.get("sleep", "seconds"));
  }

  private void topologySpread(Node constraints) {
    Set<String> seen = new HashSet<>();
    for (Node constraint : constraints.items()) {
      Node skew = constraint.get("maxSkew");
      if (skew.number(0) <= 0) {
        problems.add(
            skew.path(),
            skew.isSet()
                ? "must be greater than 0, got " + skew.number(0)
                : "missing required field");
      }
      String key = constraint.get("topologyKey").textOr("");
      if (key.isEmpty()) {
        problems.add(constraint.get("topologyKey").path(), "missing required field");
      } else {
        ObjectNames.checkLabelKey(key, "topology")
            .ifPresent(problem -> problems.add(constraint.get("topologyKey").path(), problem));
      }
      Node when = constraint.get("whenUnsatisfiable");
      if (when.textOr("").isEmpty()) {
        problems.add(when.path(), "missing required field: DoNotSchedule or ScheduleAnyway");
      } else {
        oneOf(when, List.of("DoNotSchedule", "ScheduleAnyway"));
      }
      if (!seen.add(key + "|" + when.textOr(""))) {
        problems.add(
            constraint.path(), "repeats topologyKey " + key + " with the same whenUnsatisfiable");
      }
      Node minDomains = constraint.get("minDomains");
      if (minDomains.isInteger() && minDomains.number(1) <= 0) {
        problems.add(minDomains.path(), "must be greater than 0, got " + minDomains.number(1));
      } else if (minDomains.isInteger() && !"DoNotSchedule".equals(when.text())) {
        problems.add(minDomains.path(), "needs whenUnsatisfiable: DoNotSchedule");
      }
      oneOf(constraint.get("nodeAffinityPolicy"), List.of("Honor", "Ignore"));
      oneOf(constraint.get("nodeTaintsPolicy"), List.of("Honor", "Ignore"));
      selector(constraint.get("labelSelector"), false, "topology spread constraint");
    }
  }

  private void affinity(Node affinity) {
    Node required = affinity.get("nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution");
    if (required.isSet()) {
      if (required.get("nodeSelectorTerms").size() == 0) {
        problems.add(
            required.get("nodeSelectorTerms").path(), "must list at least one node selector term");
      }
      for (Node term : required.get("nodeSelectorTerms").items()) {
        nodeSelectorTerm(term);
      }
    }
    for (Node preferred :
        affinity.get("nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution").items()) {
      weight(preferred.get("weight"));
      nodeSelectorTerm(preferred.get("preference"));
    }
    for (String kind : List.of("podAffinity", "podAntiAffinity")) {
      for (Node term :
          affinity.get(kind, "requiredDuringSchedulingIgnoredDuringExecution").items()) {
        podAffinityTerm(term);
      }
      for (Node weighted :
          affinity.get(kind, "preferredDuringSchedulingIgnoredDuringExecution").items()) {
        weight(weighted.get("weight"));
        podAffinityTerm(weighted.get("podAffinityTerm"));
      }
    }
  }

  private void nodeSelectorTerm(Node term) {
    for (String list : List.of("matchExpressions", "matchFields")) {
      for (Node requirement : term.get(list).items()) {
        String operator = requirement.get("operator").textOr("");
        int values = requirement.get("values").size();
        switch (operator) {
          case "In", "NotIn" -> {
            if (values == 0) {
              problems.add(
                  requirement.get("values").path(), "must list at least one value for " + operator);
            }
          }
          case "Exists", "DoesNotExist" -> {
            if (values > 0) {
              problems.add(requirement.get("values").path(), "must be empty for " + operator);
            }
          }
          case "Gt", "Lt" -> {
            if (values != 1) {
              problems.add(
                  requirement.get("values").path(), "must hold exactly one value for " + operator);
            }
          }
          default ->
              problems.add(
                  requirement.get("operator").path(),
                  operator.isEmpty()
                      ? "missing required field"
                      : "must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt; got \""
                          + operator
                          + "\"");
        }
        String key = requirement.get("key").textOr("");
        if (key.isEmpty()) {
          problems.add(requirement.get("key").path(), "missing required field");
        } else if (list.equals("matchExpressions")) {
          ObjectNames.checkLabelKey(key, "label")
              .ifPresent(problem -> problems.add(requirement.get("key").path(), problem));
        }
      }
    }
  }

  private void podAffinityTerm(Node term) {
    String key = term.get("topologyKey").textOr("");
    if (key.isEmpty()) {
      problems.add(
          term.get("topologyKey").path(), "missing required field, such as kubernetes.io/hostname");
    } else {
      ObjectNames.checkLabelKey(key, "topology")
          .ifPresent(problem -> problems.add(term.get("topologyKey").path(), problem));
    }
    selector(term.get("labelSelector"), false, "pod affinity term");
  }

  private void weight(Node weight) {
    if (!weight.isSet()) {
      problems.add(weight.path(), "missing required field: a weight between 1 and 100");
    } else if (weight.number(0) < 1 || weight.number(0) > 100) {
      problems.add(weight.path(), "must be between 1 and 100, got " + weight.number(0));
    }
  }
}
