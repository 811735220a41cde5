package dev.ordinal.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.ordinal.cli.CliRun;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kustomize base in manifests/ as a real API server sees it: {@code kubectl apply -k manifests/
 * --dry-run=server} with the kubectl built for the tests, and what the base says about replicas,
 * probes and security.
 */
@ControlPlaneTest
class ManifestsIT {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record Run(int exitCode, String out, String err) {}

  private static Run kubectl(ControlPlane plane, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(plane.kubectl().toString());
    command.add("--kubeconfig");
    command.add(plane.kubeconfig().toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    // Small outputs: read both after the exit, within the deadline.
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 120 s");
    }
    return new Run(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void theBaseIsAcceptedByTheApiServer(ControlPlane plane, @TempDir Path dir) throws Exception {
    // A dry run creates nothing, so the objects inside ordinal-system need the namespace to exist;
    // created from namespace.yaml, it also carries the Pod Security level the pods must meet.
    Run namespace = kubectl(plane, "apply", "-f", "manifests/namespace.yaml");
    assertEquals(0, namespace.exitCode(), namespace.err());
    List<JsonNode> base = build(plane);
    createAppNamespaces(plane, base, dir);

    Run dryRun = kubectl(plane, "apply", "-k", "manifests/", "--dry-run=server", "-o", "name");
    assertEquals(0, dryRun.exitCode(), dryRun.err());
    List<String> accepted = dryRun.out().lines().sorted().toList();
    List<String> built = base.stream().map(ManifestsIT::kubectlName).sorted().toList();
    assertEquals(built, accepted, "every object of the base, accepted");
    assertTrue(
        accepted.containsAll(
            List.of(
                "namespace/ordinal-system",
                "serviceaccount/ordinal",
                "configmap/ordinal-config",
                "service/ordinal",
                "deployment.apps/ordinal",
                "poddisruptionbudget.policy/ordinal",
                "networkpolicy.networking.k8s.io/ordinal")),
        dryRun.out());
    assertTrue(
        accepted.stream().anyMatch(n -> n.startsWith("rolebinding.rbac.authorization.k8s.io/")),
        "the base binds Ordinal's RBAC: " + dryRun.out());
  }

  /**
   * The generated RBAC binds in the apps' namespaces, which the operator creates (README): those
   * {@code objects} live in, but for Ordinal's own.
   */
  private static void createAppNamespaces(ControlPlane plane, List<JsonNode> objects, Path dir)
      throws Exception {
    Set<String> appNamespaces = new TreeSet<>();
    objects.forEach(o -> appNamespaces.add(o.at("/metadata/namespace").asText("")));
    appNamespaces.remove("");
    appNamespaces.remove("ordinal-system");
    for (String ns : appNamespaces) {
      Path file = dir.resolve(ns + ".yaml");
      Files.writeString(file, "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
      Run created = kubectl(plane, "apply", "-f", file.toString());
      assertEquals(0, created.exitCode(), created.err());
    }
  }

  private static List<JsonNode> documents(String yaml) throws IOException {
    try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
      return YAML.readValues(parser, JsonNode.class).readAll();
    }
  }

  /**
   * manifests/README.md's two commands: the daemon's config out of configmap.yaml with kubectl,
   * then {@code ordinal rbac --config} on it; the API server accepts what it prints.
   */
  @Test
  void theReadmesCommandsGenerateRbacTheServerAccepts(ControlPlane plane, @TempDir Path dir)
      throws Exception {
    Run extracted =
        kubectl(
            plane,
            "create",
            "-f",
            "manifests/configmap.yaml",
            "--dry-run=client",
            "-o",
            "jsonpath={.data.config\\.yaml}");
    assertEquals(0, extracted.exitCode(), extracted.err());
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, extracted.out());
    CliRun rbac = CliRun.of("rbac", "--config", config.toString());
    assertEquals(0, rbac.exitCode(), rbac.err());

    assertEquals(0, kubectl(plane, "apply", "-f", "manifests/namespace.yaml").exitCode());
    createAppNamespaces(plane, documents(rbac.out()), dir);
    Path generated = dir.resolve("rbac.yaml");
    Files.writeString(generated, rbac.out());
    Run dryRun = kubectl(plane, "apply", "--dry-run=server", "-f", generated.toString());
    assertEquals(0, dryRun.exitCode(), dryRun.err() + "\n" + rbac.out());
    assertTrue(
        dryRun.out().contains("rolebinding.rbac.authorization.k8s.io/ordinal"), dryRun.out());
  }

  /** An object as {@code kubectl -o name} prints it: kind.group/name, lower case. */
  private static String kubectlName(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    return object.path("kind").asText().toLowerCase(Locale.ROOT)
        + (group.isEmpty() ? "" : "." + group)
        + "/"
        + object.at("/metadata/name").asText();
  }

  /**
   * The Deployment's pod, as a Pod in ordinal-system, passes the namespace's enforced Pod Security
   * level, restricted; the same pod on the host's network is refused there, so the check is on.
   */
  @Test
  void thePodMeetsTheRestrictedPodSecurityStandard(ControlPlane plane, @TempDir Path dir)
      throws Exception {
    assertEquals(0, kubectl(plane, "apply", "-f", "manifests/namespace.yaml").exitCode());
    ObjectNode pod = YAML.createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata")
        .put("name", "ordinal-pod-security")
        .put("namespace", "ordinal-system");
    pod.set("spec", deployment(plane).at("/spec/template/spec"));
    Path file = dir.resolve("pod.yaml");
    Files.writeString(file, YAML.writeValueAsString(pod));
    Run restricted = kubectl(plane, "apply", "--dry-run=server", "-f", file.toString());
    assertEquals(0, restricted.exitCode(), restricted.err());

    // The host's network: valid for the API server, forbidden by every Pod Security level.
    ((ObjectNode) pod.get("spec")).put("hostNetwork", true);
    Files.writeString(file, YAML.writeValueAsString(pod));
    Run hostNetwork = kubectl(plane, "apply", "--dry-run=server", "-f", file.toString());
    assertTrue(hostNetwork.exitCode() != 0, hostNetwork.out());
    assertTrue(hostNetwork.err().contains("PodSecurity"), hostNetwork.err());
  }

  /** The objects {@code kubectl kustomize manifests/} builds. */
  private static List<JsonNode> build(ControlPlane plane) throws Exception {
    Run built = kubectl(plane, "kustomize", "manifests/");
    assertEquals(0, built.exitCode(), built.err());
    return documents(built.out());
  }

  private static JsonNode deployment(ControlPlane plane) throws Exception {
    return build(plane).stream()
        .filter(doc -> doc.path("kind").asText().equals("Deployment"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Deployment in the base"));
  }

  @Test
  void twoReplicasWithProbesAndARestrictedSecurityContext(ControlPlane plane) throws Exception {
    JsonNode deployment = deployment(plane);
    assertEquals(2, deployment.at("/spec/replicas").asInt());
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertTrue(container.has(probe), probe);
    }
    assertEquals("/readyz", container.at("/readinessProbe/httpGet/path").asText());
    assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
    assertEquals("RuntimeDefault", pod.at("/securityContext/seccompProfile/type").asText());
    assertFalse(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true));
    assertTrue(container.at("/securityContext/readOnlyRootFilesystem").asBoolean());
    assertEquals("ALL", container.at("/securityContext/capabilities/drop/0").asText());
  }
}
