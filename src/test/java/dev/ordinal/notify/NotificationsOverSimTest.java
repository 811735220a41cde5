package dev.ordinal.notify;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.testkit.SimOrdinal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole daemon over the in-memory cluster tells two webhooks about a rollout that passes its
 * steps, waits at a manual gate, is promoted and completes, then about a bad release rolled back
 * with the metric, its values and the limit. The JSON receiver answers 500 once: that delivery is
 * retried and the order holds. Neither receiver ever sees the webhook secret or its own URL token.
 */
class NotificationsOverSimTest {
  static final String TOKEN = "T0001/B0001/notification-url-secret";
  static final String WEBHOOK_SECRET = "git-webhook-secret-never-sent";

  @TempDir Path tmp;

  static Map<String, String> tree(String image) {
    return SimOrdinal.shop(image, SimOrdinal.GATED, "error-rate");
  }

  @Test
  void webhooksHearTheRolloutInOrderWithOneRetry() throws Exception {
    try (Receiver json = new Receiver(1);
        Receiver slack = new Receiver(0);
        SimOrdinal ordinal = SimOrdinal.create(tmp, 20)) {
      Files.writeString(tmp.resolve("slack-url"), slack.url(TOKEN) + "\n");
      Files.writeString(tmp.resolve("webhook-secret"), WEBHOOK_SECRET);
      ordinal.remote.commit("main", tree("registry.local/orders:1"));
      ordinal.start(
          "",
          // its own port: the default 0.0.0.0:8081 collides with any other daemon on the machine
          "webhook: {listen: '127.0.0.1:0', secretFile: "
              + tmp.resolve("webhook-secret")
              + "}\nnotifications:\n  - {name: ops, url: '"
              + json.url(TOKEN)
              + "'}\n  - {name: chat, urlFile: "
              + tmp.resolve("slack-url")
              + ", format: slack}\n");
      ordinal.awaitState("shop", "orders", "initialised", s -> s.phase() == Phase.HEALTHY);

      ordinal.prometheus.rate("orders", 0.01);
      String good = ordinal.commit(tree("registry.local/orders:2"));
      awaitKinds(json, 4);
      ordinal.cluster.annotate(
          "shop", "orders", Map.of(Annotations.commandKey(Command.PROMOTE), "now"));
      awaitKinds(json, 6);
      ordinal.prometheus.rate("orders", 0.31);
      ordinal.commit(tree("registry.local/orders:3"));
      awaitKinds(json, 9);

      assertEquals(
          List.of(
              "ROLLOUT_STARTED",
              "STEP_PASSED",
              "STEP_PASSED",
              "PAUSED",
              "STEP_PASSED",
              "COMPLETED",
              "ROLLOUT_STARTED",
              "STEP_PASSED",
              "ROLLED_BACK"),
          json.field("kind"));
      assertEquals(List.of("1", "1", "2", "3", "3", "3", "1", "1", "2"), json.field("step"));
      assertEquals(10, json.requests.get(), "the first delivery was answered 500 and retried");
      assertEquals(good, json.field("commit").get(0));

      JsonNode rollback = Receiver.parse(json.bodies.get(8));
      JsonNode finding = rollback.path("analysis").get(0);
      assertEquals("error-rate", finding.path("metric").asText());
      assertEquals("FAILED", finding.path("phase").asText());
      assertEquals("[0.31]", finding.path("values").get(0).asText());
      assertEquals("1 failed measurement(s) > failureLimit 0", finding.path("limit").asText());
      assertEquals("success when result[0] < 0.05", finding.path("condition").asText());

      await(
          "the Slack receiver heard the same nine",
          Duration.ofSeconds(30),
          () -> slack.bodies.size() == 9,
          slack.bodies::toString);
      assertEquals("shop/orders is rolling back", slack.field("text").get(8));
      assertTrue(
          slack.field("text").get(3).startsWith("shop/orders is paused for a human at step 3/3"),
          slack.field("text").get(3));
      for (String body : List.copyOf(json.bodies)) {
        assertFalse(
            body.contains("notification-url-secret") || body.contains(WEBHOOK_SECRET), body);
      }
      for (String body : List.copyOf(slack.bodies)) {
        assertFalse(
            body.contains("notification-url-secret") || body.contains(WEBHOOK_SECRET), body);
      }
      // a delivery is counted once the sender has the receiver's answer, after the receiver
      // already holds the body
      await(
          "the ninth delivery to ops counted",
          Duration.ofSeconds(30),
          () ->
              metrics(ordinal)
                  .contains("ordinal_notifications_total{result=\"delivered\",target=\"ops\"} 9.0"),
          () -> metrics(ordinal));
      String metrics = ordinal.get("/metrics");
      // what people and Prometheus read never holds a secret: no label value, no status text
      String status = ordinal.get("/status");
      for (String served : List.of(metrics, status)) {
        assertFalse(
            served.contains("notification-url-secret") || served.contains(WEBHOOK_SECRET), served);
      }
    }
  }

  private static String metrics(SimOrdinal ordinal) {
    try {
      return ordinal.get("/metrics");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void awaitKinds(Receiver receiver, int count) {
    await(
        count + " notifications",
        Duration.ofSeconds(60),
        () -> receiver.bodies.size() >= count,
        () -> receiver.field("kind").toString());
  }
}
