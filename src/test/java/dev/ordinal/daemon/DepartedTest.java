package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DepartedTest {
  private final Departed departed = new Departed();
  private final List<String> recorded = new ArrayList<>();

  private void record(String key) {
    departed.unlessLeft(key, () -> recorded.add(key));
  }

  @Test
  void aStatefulSetThatLeftIsNoLongerRecordedUntilItReturns() {
    List<String> forgotten = new ArrayList<>();
    record("shop/orders");
    departed.left("shop/orders", () -> forgotten.add("shop/orders"));
    record("shop/orders");
    record("shop/cart");
    departed.returned("shop/orders");
    record("shop/orders");

    assertEquals(List.of("shop/orders"), forgotten);
    assertEquals(List.of("shop/orders", "shop/cart", "shop/orders"), recorded);
  }

  @Test
  void theEldestDepartureIsDroppedBeyondTheLimit() {
    for (int i = 0; i <= Departed.LIMIT; i++) {
      departed.left("shop/sts-" + i, () -> {});
    }
    record("shop/sts-0");
    record("shop/sts-1");
    record("shop/sts-" + Departed.LIMIT);

    assertEquals(List.of("shop/sts-0"), recorded);
  }

  @Test
  void aForgetWaitsForARecordUnderWayAndSoComesAfterIt() throws Exception {
    // Without the shared lock, the forget would run while the record is under way, and the
    // record would then bring back what the forget removed.
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch recording = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread recorder =
        new Thread(
            () ->
                departed.unlessLeft(
                    "shop/orders",
                    () -> {
                      recording.countDown();
                      await(release);
                      order.add("recorded");
                    }));
    recorder.start();
    recording.await();
    Thread forgetter = new Thread(() -> departed.left("shop/orders", () -> order.add("forgot")));
    forgetter.start();
    // The forgetter is blocked on the lock, or not yet there: either way it has not forgotten.
    forgetter.join(200);
    release.countDown();
    recorder.join();
    forgetter.join();

    assertEquals(List.of("recorded", "forgot"), order);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
