package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.manifest.SourceTree;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitPollerTest {

  /** A scheduler on a virtual clock: tasks run only when the test advances time. */
  static final class FakeScheduler implements GitPoller.Scheduler {
    record Task(long dueMillis, Runnable runnable, boolean[] cancelled) {}

    long nowMillis;
    // When set, cancel() comes too late, as when a task is already starting on another thread.
    boolean cancelTooLate;
    final List<Task> tasks = new ArrayList<>();
    final List<Duration> delays = new ArrayList<>();

    @Override
    public GitPoller.Cancellable schedule(Runnable runnable, Duration delay) {
      boolean[] cancelled = {false};
      tasks.add(new Task(nowMillis + delay.toMillis(), runnable, cancelled));
      delays.add(delay);
      return () -> cancelled[0] = !cancelTooLate;
    }

    @Override
    public long nowMillis() {
      return nowMillis;
    }

    /** Runs every task due up to {@code now + millis}, in due order. */
    void advance(long millis) {
      long target = nowMillis + millis;
      while (true) {
        Optional<Task> next =
            tasks.stream()
                .filter(t -> !t.cancelled()[0] && t.dueMillis() <= target)
                .min(Comparator.comparingLong(Task::dueMillis));
        if (next.isEmpty()) {
          break;
        }
        tasks.remove(next.get());
        nowMillis = Math.max(nowMillis, next.get().dueMillis());
        next.get().runnable().run();
      }
      nowMillis = target;
    }

    long pending() {
      return tasks.stream().filter(t -> !t.cancelled()[0]).count();
    }
  }

  /** A target that answers with queued results and counts polls. */
  static class ScriptedTarget implements PollTarget {
    final String url;
    final Deque<PollResult> script = new ArrayDeque<>();
    int polls;

    ScriptedTarget(String url) {
      this.url = url;
    }

    @Override
    public String repoUrl() {
      return url;
    }

    @Override
    public PollResult poll() {
      polls++;
      PollResult next = script.poll();
      return next != null ? next : new PollResult.Unchanged("c");
    }
  }

  private static final GitPoller.Timing TIMING =
      new GitPoller.Timing(Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofMinutes(5));
  private static final PollResult FAILED = new PollResult.Failed("down", Optional.empty());

  @Test
  void jitterStaysWithinTenPercentOfTheInterval() {
    double[] value = {0};
    GitPoller poller = new GitPoller(new FakeScheduler(), () -> value[0], TIMING, (t, c) -> {});
    value[0] = 0.0;
    assertEquals(Duration.ofSeconds(54), poller.nextInterval());
    value[0] = 0.5;
    assertEquals(Duration.ofSeconds(60), poller.nextInterval());
    value[0] = Math.nextDown(1.0);
    assertEquals(Duration.ofSeconds(66), poller.nextInterval());
    Random random = new Random(42);
    GitPoller randomPoller =
        new GitPoller(new FakeScheduler(), random::nextDouble, TIMING, (t, c) -> {});
    for (int i = 0; i < 1000; i++) {
      long ms = randomPoller.nextInterval().toMillis();
      assertTrue(ms >= 54_000 && ms <= 66_000, "out of bounds: " + ms);
    }
  }

  @Test
  void backoffDoublesFromFiveSecondsUpToFiveMinutes() {
    GitPoller poller = new GitPoller(new FakeScheduler(), () -> 0.5, TIMING, (t, c) -> {});
    long[] expectedSeconds = {5, 10, 20, 40, 80, 160, 300, 300};
    for (int failures = 1; failures <= expectedSeconds.length; failures++) {
      assertEquals(Duration.ofSeconds(expectedSeconds[failures - 1]), poller.backoff(failures));
    }
    assertEquals(Duration.ofMinutes(5), poller.backoff(1000));
  }

  @Test
  void failuresBackOffAndSuccessReturnsToTheInterval() {
    FakeScheduler scheduler = new FakeScheduler();
    GitPoller poller = new GitPoller(scheduler, () -> 0.5, TIMING, (t, c) -> {});
    ScriptedTarget target = new ScriptedTarget("https://example.com/o/r");
    target.script.addAll(List.of(FAILED, FAILED, FAILED));
    poller.add(target);

    scheduler.advance(0);
    assertEquals(1, target.polls);
    scheduler.advance(4_999);
    assertEquals(1, target.polls, "first retry waits 5 s");
    scheduler.advance(1);
    assertEquals(2, target.polls);
    scheduler.advance(10_000);
    assertEquals(3, target.polls, "second retry waits 10 s");
    scheduler.advance(20_000);
    assertEquals(4, target.polls, "third retry waits 20 s; this poll succeeds");
    assertEquals(
        List.of(
            Duration.ZERO,
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(20),
            Duration.ofSeconds(60)),
        scheduler.delays);
  }

  @Test
  void triggerPollsMatchingTargetsAtOnceAndOthersNot() {
    FakeScheduler scheduler = new FakeScheduler();
    List<String> changes = new ArrayList<>();
    GitPoller poller =
        new GitPoller(
            scheduler, () -> 0.5, TIMING, (t, c) -> changes.add(t.repoUrl() + "@" + c.commitId()));
    ScriptedTarget github = new ScriptedTarget("https://github.com/acme/db.git");
    ScriptedTarget other = new ScriptedTarget("https://github.com/acme/other");
    poller.add(github);
    poller.add(other);
    scheduler.advance(0);
    assertEquals(1, github.polls);
    assertEquals(1, other.polls);

    scheduler.advance(10_000);
    github.script.add(
        new PollResult.Changed("c2", new SourceTree("c2", List.of(), e -> new byte[0])));
    assertEquals(1, poller.trigger("git@GitHub.com:acme/db"));
    scheduler.advance(0);
    assertEquals(2, github.polls, "triggered poll runs without waiting for the interval");
    assertEquals(1, other.polls);
    assertEquals(List.of("https://github.com/acme/db.git@c2"), changes);
    assertEquals(2, scheduler.pending(), "the old interval timer was replaced, not doubled");

    assertEquals(0, poller.trigger("https://github.com/acme/nope"));
  }

  @Test
  void triggerDuringAPollRunsOneMorePollAfterIt() {
    FakeScheduler scheduler = new FakeScheduler();
    GitPoller[] poller = new GitPoller[1];
    ScriptedTarget target =
        new ScriptedTarget("https://example.com/o/r") {
          @Override
          public PollResult poll() {
            if (polls == 0) {
              poller[0].trigger(url);
            }
            return super.poll();
          }
        };
    poller[0] = new GitPoller(scheduler, () -> 0.5, TIMING, (t, c) -> {});
    poller[0].add(target);
    scheduler.advance(0);
    assertEquals(2, target.polls);
    assertEquals(1, scheduler.pending());
  }

  @Test
  void closeCancelsEverything() throws Exception {
    FakeScheduler scheduler = new FakeScheduler();
    GitPoller poller = new GitPoller(scheduler, () -> 0.5, TIMING, (t, c) -> {});
    ScriptedTarget target = new ScriptedTarget("https://example.com/o/r");
    poller.add(target);
    poller.close();
    scheduler.advance(1_000_000);
    assertEquals(0, target.polls);
    poller.trigger("https://example.com/o/r");
    assertEquals(0, scheduler.pending(), "a closed poller schedules nothing");
  }

  @Test
  void daemonPollerDeliversChangesOfARealRepositoryAndFollowsATrigger(@TempDir Path tmp)
      throws Exception {
    BlockingQueue<String> commits = new LinkedBlockingQueue<>();
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"));
        GitRepoCache cache = new GitRepoCache(tmp.resolve("data"));
        GitPoller poller =
            GitPoller.withDaemonThreads(2, (t, change) -> commits.add(change.commitId()))) {
      ObjectId c1 = remote.commit("main", Map.of("a.yaml", "v: 1"));
      GitSource source = GitSource.open(cache, GitSourceConfig.of(remote.fileUrl(), "main", ""));
      poller.add(source);
      assertEquals(c1.name(), commits.poll(10, TimeUnit.SECONDS));

      ObjectId c2 = remote.commit("main", Map.of("a.yaml", "v: 2"));
      // The 60 s interval has not passed: only the trigger can bring c2 this quickly.
      assertEquals(1, poller.trigger(remote.fileUrl()));
      assertEquals(c2.name(), commits.poll(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aTaskThatOutrunsItsCancelDoesNotStartASecondChain() {
    FakeScheduler scheduler = new FakeScheduler();
    GitPoller poller = new GitPoller(scheduler, () -> 0.5, TIMING, (t, c) -> {});
    ScriptedTarget target = new ScriptedTarget("https://example.com/o/r");
    poller.add(target);
    scheduler.advance(0);
    assertEquals(1, target.polls);

    scheduler.cancelTooLate = true;
    poller.trigger(target.url);
    poller.trigger(target.url);
    scheduler.advance(0);
    assertEquals(2, target.polls, "two triggers before the poll ran make one poll");
    scheduler.advance(60_000);
    assertEquals(3, target.polls, "then exactly one poll per interval");
    scheduler.advance(60_000);
    assertEquals(4, target.polls);
  }

  @Test
  void aBurstOfTriggersPollsOnceAtOnceAndOnceAtTheWindowsEnd() {
    FakeScheduler scheduler = new FakeScheduler();
    GitPoller poller = new GitPoller(scheduler, () -> 0.5, TIMING, (t, c) -> {});
    ScriptedTarget target = new ScriptedTarget("https://example.com/o/r");
    poller.add(target);
    scheduler.advance(30_000);
    assertEquals(1, target.polls);

    // 200 webhooks over 4 s: the first polls at once, the rest join one poll at 5 s.
    for (int i = 0; i < 200; i++) {
      poller.trigger(target.url);
      scheduler.advance(20);
    }
    assertEquals(2, target.polls, "one poll at once, the others wait for the window's end");
    assertEquals(1, scheduler.pending(), "one poll queued, not 199");
    scheduler.advance(1_000);
    assertEquals(3, target.polls, "the queued poll runs when the window ends");
    scheduler.advance(10_000);
    assertEquals(3, target.polls, "and then the interval resumes");
    scheduler.advance(60_000);
    assertEquals(4, target.polls);

    // A trigger long after the last one polls at once again.
    poller.trigger(target.url);
    scheduler.advance(0);
    assertEquals(5, target.polls);
  }

  /**
   * Closing waits for a poll under way: it writes into the repository cache, which whoever closed
   * the poller may remove next (a test's temporary folder, found not empty once, was one).
   */
  @Test
  void closingWaitsForAPollUnderWay() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    PollTarget slow =
        new PollTarget() {
          @Override
          public String repoUrl() {
            return "https://example.com/o/slow";
          }

          @Override
          public PollResult poll() {
            started.countDown();
            // As a fetch does: an interrupt does not cut it short.
            boolean interrupted = false;
            while (true) {
              try {
                release.await();
                break;
              } catch (InterruptedException e) {
                interrupted = true;
              }
            }
            finished.set(true);
            if (interrupted) {
              Thread.currentThread().interrupt();
            }
            return new PollResult.Unchanged("c");
          }
        };
    GitPoller poller = GitPoller.withDaemonThreads(1, (t, change) -> {});
    poller.add(slow);
    assertTrue(started.await(10, TimeUnit.SECONDS));
    Thread closing =
        new Thread(
            () -> {
              try {
                poller.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    closing.start();
    closing.join(300);
    assertTrue(closing.isAlive(), "close returned while the poll still ran");
    release.countDown();
    closing.join(10_000);
    assertFalse(closing.isAlive());
    assertTrue(finished.get());
  }
}
