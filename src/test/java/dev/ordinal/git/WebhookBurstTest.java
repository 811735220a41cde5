package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.web.Limits;
import dev.ordinal.web.WebhookEndpoint;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole webhook path, all real: the webhook listener, signature checks, the poller's debounce,
 * a Git source fetching over smart HTTP. A burst of signed pushes for one repository costs at most
 * one fetch at once and one at the end of the debounce window.
 */
class WebhookBurstTest {
  private static final String SECRET = "burst-secret";

  @TempDir Path tmp;

  @Test
  void twoHundredSignedWebhooksInABurstCauseAtMostTwoFetches() throws Exception {
    Duration window = GitPoller.DEFAULT_TRIGGER_WINDOW;
    BlockingQueue<String> changes = new LinkedBlockingQueue<>();
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"));
        GitRepoCache cache = new GitRepoCache(tmp.resolve("data"));
        GitHttpServer http = GitHttpServer.start(remote.repo);
        GitPoller poller =
            GitPoller.withDaemonThreads(
                2,
                new GitPoller.Timing(
                    Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMinutes(5), window),
                (target, change) -> changes.add(change.commitId()));
        WebhookEndpoint hooks =
            WebhookEndpoint.bind(
                new InetSocketAddress("127.0.0.1", 0), "/webhook", Limits.webhook(1 << 20))) {
      ObjectId first = remote.commit("main", Map.of("a.yaml", "v: 1"));
      GitSource source = GitSource.open(cache, GitSourceConfig.of(http.url(), "main", ""));
      hooks.serve(WebhookHandler.withSecret(SECRET, poller::trigger));
      poller.add(source);
      assertEquals(first.name(), changes.poll(20, TimeUnit.SECONDS));
      long fetchesBefore = source.fetchCount();
      int advertisementsBefore = http.advertisements.get();

      ObjectId pushed = remote.commit("main", Map.of("a.yaml", "v: 2"));
      HttpClient client = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + hooks.port() + "/webhook");
      ExecutorService senders = Executors.newFixedThreadPool(8);
      long t0 = System.nanoTime();
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        // Distinct deliveries (a replay of one body would be answered without any fetch).
        String body =
            "{\"ref\":\"refs/heads/main\",\"after\":\"%040d\",\"repository\":{\"clone_url\":\"%s\"}}"
                .formatted(i, http.url());
        statuses.add(
            senders.submit(
                () ->
                    client
                        .send(
                            HttpRequest.newBuilder(uri)
                                .header("X-GitHub-Event", "push")
                                .header("X-Hub-Signature-256", sign(body))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()));
      }
      for (Future<Integer> status : statuses) {
        assertEquals(202, status.get());
      }
      long burstMillis = (System.nanoTime() - t0) / 1_000_000;
      senders.shutdown();

      assertEquals(pushed.name(), changes.poll(20, TimeUnit.SECONDS), "the push was fetched");
      // Wait past the window's end, when the one queued poll runs, and a little more.
      long waitUntil = t0 + window.toNanos() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < waitUntil) {
        Thread.sleep(50);
      }
      long fetches = source.fetchCount() - fetchesBefore;
      int advertisements = http.advertisements.get() - advertisementsBefore;
      // One poll at once, then one per window the burst lasted: 2 when it fits in one window.
      long bound = 1 + Math.max(1, (burstMillis + window.toMillis() - 1) / window.toMillis());
      System.out.printf(
          "200 signed webhooks in %d ms: %d poll(s) of the remote (%d ref advertisement(s) served),"
              + " bound %d%n",
          burstMillis, fetches, advertisements, bound);
      assertTrue(fetches >= 1 && fetches <= bound, fetches + " polls for one burst");
      assertTrue(advertisements <= 2 * fetches, advertisements + " advertisements");
      assertTrue(changes.isEmpty(), "no second change: " + changes);
    }
  }

  private static String sign(String body) {
    return "sha256="
        + HexFormat.of()
            .formatHex(
                WebhookHandler.hmacSha256(
                    SECRET.getBytes(StandardCharsets.UTF_8),
                    body.getBytes(StandardCharsets.UTF_8)));
  }
}
