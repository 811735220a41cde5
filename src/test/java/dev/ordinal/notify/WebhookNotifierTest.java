package dev.ordinal.notify;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {
  static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  static Notification notification(Notification.Kind kind, int step, List<Notification.Finding> f) {
    return new Notification(
        kind,
        T,
        "shop",
        "orders",
        "shop-app",
        "f59b17f3f274c7091d3be98a5bde9ae14018f3fb",
        "orders-22f4bd4e2b",
        "orders-2a14f84fb7",
        step,
        3,
        "analysis error-rate at step 2 FAILED; rolling back to orders-22f4bd4e2b",
        "step " + step + " <b>&</b>",
        f);
  }

  @Test
  void aFailedDeliveryIsRetriedBeforeTheNextAndTheOrderIsKept() throws Exception {
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    Map<String, Integer> told = new ConcurrentHashMap<>();
    try (Receiver receiver = new Receiver(1);
        WebhookNotifier notifier =
            new WebhookNotifier(
                "ops",
                receiver.url("T000/B000/secret-token"),
                Formats.Format.JSON,
                Duration.ofMillis(50),
                (target, result, n) -> {
                  attempts.merge(result.name(), n, Integer::sum);
                  told.merge(result.name(), 1, Integer::sum);
                })) {
      notifier.send(notification(Notification.Kind.ROLLOUT_STARTED, 1, List.of()));
      notifier.send(notification(Notification.Kind.STEP_PASSED, 1, List.of()));
      notifier.send(notification(Notification.Kind.COMPLETED, 3, List.of()));
      await(
          "three deliveries",
          Duration.ofSeconds(10),
          () -> receiver.bodies.size() == 3,
          receiver.bodies::toString);
      // the receiver holds the third body before the sender has its answer and tells the listener
      await(
          "the listener told of three deliveries",
          Duration.ofSeconds(10),
          () -> told.getOrDefault("DELIVERED", 0) == 3,
          told::toString);
      assertEquals(List.of("ROLLOUT_STARTED", "STEP_PASSED", "COMPLETED"), receiver.field("kind"));
      assertEquals(4, receiver.requests.get(), "the first one was tried twice");
      assertEquals(2 + 1 + 1, attempts.get("DELIVERED"), "attempts per delivery: 2, 1, 1");
    }
  }

  @Test
  void aHangingReceiverNeverBlocksTheSenderAndTheOldestAreDropped() throws Exception {
    Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    try (Receiver receiver = new Receiver(0);
        WebhookNotifier notifier =
            new WebhookNotifier(
                "hung",
                receiver.url("x"),
                Formats.Format.SLACK,
                Duration.ofMillis(10),
                (target, result, n) -> outcomes.merge(result.name(), 1, Integer::sum))) {
      receiver.hang();
      notifier.send(notification(Notification.Kind.ROLLOUT_STARTED, 1, List.of()));
      await(
          "the first delivery to hang in the receiver",
          Duration.ofSeconds(10),
          () -> receiver.requests.get() == 1,
          () -> receiver.requests + " requests");
      // the sender's thread is stuck in that delivery; these only queue, and the oldest go
      for (int i = 0; i < WebhookNotifier.QUEUE + 25; i++) {
        notifier.send(notification(Notification.Kind.STEP_PASSED, 1, List.of()));
      }
      assertEquals(25, outcomes.get("DROPPED"));
      receiver.release();
      await(
          "the queue delivered once the receiver answers",
          Duration.ofSeconds(30),
          () -> receiver.bodies.size() == 1 + WebhookNotifier.QUEUE,
          () -> receiver.bodies.size() + " delivered");
    }
  }

  @Test
  void slackMessagesEscapeTextAndCarryTheMetricValuesAndLimit() {
    Notification n =
        notification(
            Notification.Kind.ROLLED_BACK,
            2,
            List.of(
                new Notification.Finding(
                    "error-rate",
                    "<!channel>",
                    "FAILED",
                    List.of("[0.31]"),
                    "success when result[0] < 0.05",
                    "1 failed measurement(s) > failureLimit 0")));
    JsonNode slack = Receiver.parse(Formats.render(Formats.Format.SLACK, n));
    assertEquals("shop/orders is rolling back", slack.path("text").asText());
    JsonNode attachment = slack.path("attachments").get(0);
    assertEquals("#cf222e", attachment.path("color").asText());
    assertEquals("step 2 &lt;b&gt;&amp;&lt;/b&gt;", attachment.path("text").asText());
    JsonNode finding = attachment.path("fields").get(attachment.path("fields").size() - 1);
    assertEquals("error-rate / &lt;!channel&gt; FAILED", finding.path("title").asText());
    assertEquals(
        "values [0.31]\nsuccess when result[0] &lt; 0.05\n1 failed measurement(s) &gt; failureLimit 0",
        finding.path("value").asText());

    JsonNode json = Receiver.parse(Formats.render(Formats.Format.JSON, n));
    assertEquals("ROLLED_BACK", json.path("kind").asText());
    assertEquals("<!channel>", json.path("analysis").get(0).path("metric").asText());
    assertEquals("[0.31]", json.path("analysis").get(0).path("values").get(0).asText());
    assertEquals(
        "1 failed measurement(s) > failureLimit 0",
        json.path("analysis").get(0).path("limit").asText());
  }
}
