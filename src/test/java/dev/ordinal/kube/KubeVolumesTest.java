package dev.ordinal.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.backup.Volumes;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusStreamMessage;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exec request a hook sends. The test control plane has no kubelet to exec in, so this pins the
 * request itself, against fabric8's mock API server: the pod, the container and each argument of
 * the command, and how an exit code comes back.
 *
 * <p>The mock closes a WebSocket as soon as its last message is sent, and fabric8 then often sees
 * the close before the status frame (measured: about a third of runs with output before the
 * status). Where a test is about the exit code, the session waits for a client message that never
 * comes, so it stays open and the status frame alone ends the exec; the close racing the status is
 * its own test.
 */
class KubeVolumesTest {
  /** A client message the exec never sends: the mock keeps a session open while it waits. */
  private static final String NEVER_SENT = "never-sent";

  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  private List<String> execRequests() throws InterruptedException {
    List<String> paths = new ArrayList<>();
    for (int i = server.getRequestCount(); i > 0; i--) {
      RecordedRequest r = server.takeRequest();
      if (r.getPath().contains("/exec")) {
        paths.add(URLDecoder.decode(r.getPath(), StandardCharsets.UTF_8));
      }
    }
    return paths;
  }

  /** The pod as the API server returns it (fabric8 reads it before an exec). */
  private void pod(String name, String... containers) {
    PodBuilder pod =
        new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").endMetadata();
    var spec = pod.withNewSpec();
    for (String c : containers) {
      spec.addNewContainer().withName(c).endContainer();
    }
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/shop/pods/" + name)
        .andReturn(200, spec.endSpec().build())
        .always();
  }

  @Test
  void anExecHookRunsItsCommandInTheNamedContainerAndReportsTheExitCode() throws Exception {
    pod("db-1", "db");
    server
        .expect()
        .withPath(
            "/api/v1/namespaces/shop/pods/db-1/exec?command=fsfreeze&command=-f&command=%2Fdata"
                + "&container=db&stdout=true&stderr=true")
        .andUpgradeToWebSocket()
        .open(new OutputStreamMessage("frozen\n"), new StatusStreamMessage(3))
        .expect(NEVER_SENT)
        .andEmit("")
        .once()
        .done()
        .always();

    Volumes.ExecResult result =
        new KubeCluster(client)
            .exec("shop", "db-1", "db", List.of("fsfreeze", "-f", "/data"), Duration.ofSeconds(5));

    assertEquals(3, result.exitCode());
    assertTrue(result.output().contains("frozen"), result.output());
    List<String> paths = execRequests();
    assertEquals(1, paths.size(), paths.toString());
    String path = paths.get(0);
    assertTrue(path.startsWith("/api/v1/namespaces/shop/pods/db-1/exec?"), path);
    assertTrue(path.contains("command=fsfreeze&command=-f&command=/data"), path);
    assertTrue(path.contains("container=db"), path);
  }

  @Test
  void withoutAContainerTheHookRunsInThePodsFirstContainer() throws Exception {
    pod("db-0", "postgres", "sidecar");
    server
        .expect()
        .withPath(
            "/api/v1/namespaces/shop/pods/db-0/exec?command=sync&container=postgres&stdout=true"
                + "&stderr=true")
        .andUpgradeToWebSocket()
        .open(new StatusStreamMessage(0))
        .expect(NEVER_SENT)
        .andEmit("")
        .once()
        .done()
        .always();

    Volumes.ExecResult result =
        new KubeCluster(client).exec("shop", "db-0", "", List.of("sync"), Duration.ofSeconds(5));

    assertTrue(result.succeeded(), result.toString());
    assertTrue(execRequests().get(0).contains("container=postgres"));
  }

  @Test
  void anExecTheApiServerRefusesSaysWhichPodAndTheHttpCode() {
    pod("db-2", "db");
    server
        .expect()
        .withPath(
            "/api/v1/namespaces/shop/pods/db-2/exec?command=sync&container=db&stdout=true"
                + "&stderr=true")
        .andReturn(403, "")
        .always();

    ClusterException refused =
        assertThrows(
            ClusterException.class,
            () ->
                new KubeCluster(client)
                    .exec("shop", "db-2", "", List.of("sync"), Duration.ofSeconds(5)));

    assertEquals(
        "exec in db-2 failed: the API server refused the exec (HTTP 403)", refused.getMessage());
  }

  @Test
  void anExecWhoseConnectionClosesWithoutAnExitStatusCountsAsFailed() {
    pod("db-0", "db");
    server
        .expect()
        .withPath(
            "/api/v1/namespaces/shop/pods/db-0/exec?command=sync&container=db&stdout=true"
                + "&stderr=true")
        .andUpgradeToWebSocket()
        .open(new OutputStreamMessage("synced\n"))
        .done()
        .always();

    ClusterException unknown =
        assertThrows(
            ClusterException.class,
            () ->
                new KubeCluster(client)
                    .exec("shop", "db-0", "", List.of("sync"), Duration.ofSeconds(5)));

    assertEquals(
        "exec in db-0 ended without an exit status (the connection closed before it arrived);"
            + " counted as failed",
        unknown.getMessage());
  }
}
