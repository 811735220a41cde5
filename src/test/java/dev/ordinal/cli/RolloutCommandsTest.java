package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.TestStates;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument handling of the rollout commands, status and plan; no cluster needed. */
class RolloutCommandsTest {
  @TempDir Path tmp;

  @Test
  void patchSetsOnlyTheCommandAnnotationToTheTimeInSeconds() {
    assertEquals(
        "{\"metadata\":{\"annotations\":{\"ordinal.dev/command-promote-full\":\"2026-11-25T10:00:00Z\"}}}",
        RolloutCommands.patch(Command.PROMOTE_FULL, Instant.parse("2026-11-25T10:00:00.123456Z")));
    assertEquals(
        "{\"metadata\":{\"annotations\":{\"ordinal.dev/command-abort\":\"2026-11-25T10:00:00Z\"}}}",
        RolloutCommands.patch(Command.ABORT, Instant.parse("2026-11-25T10:00:00Z")));
  }

  @Test
  void missingNameIsAUsageError() {
    for (String verb : new String[] {"promote", "abort", "retry", "pause", "resume"}) {
      CliRun run = CliRun.of(verb);
      assertEquals(2, run.exitCode(), verb);
      assertTrue(
          run.err().contains("Missing required parameter")
              && run.err().contains("Usage: ordinal " + verb),
          run.err());
    }
  }

  @Test
  void extraArgumentsAreUsageErrors() {
    assertEquals(2, CliRun.of("promote", "db", "cache").exitCode());
    assertEquals(2, CliRun.of("abort", "db", "--full").exitCode());
    assertEquals(2, CliRun.of("status", "db", "cache").exitCode());
    CliRun retry = CliRun.of("retry", "something", "db");
    assertEquals(2, retry.exitCode());
    assertTrue(retry.err().contains("expected 'retry NAME' or 'retry rollout NAME'"), retry.err());
  }

  @Test
  void namespaceSlashNameMustAgreeWithDashN() {
    CliRun run = CliRun.of("pause", "prod/db", "-n", "staging");
    assertEquals(2, run.exitCode());
    assertTrue(
        run.err().contains("'prod/db' names namespace 'prod' but -n says 'staging'"), run.err());
    assertEquals(2, CliRun.of("pause", "a/b/c").exitCode());
    assertEquals(2, CliRun.of("status", "/db").exitCode());
  }

  @Test
  void planWithoutSourceIsAUsageError() {
    CliRun run = CliRun.of("plan");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("Usage: ordinal plan"), run.err());
  }

  @Test
  void helpNamesTheNewCommandsAndFlags() {
    CliRun top = CliRun.of("--help");
    for (String verb :
        new String[] {"promote", "abort", "retry", "pause", "resume", "status", "plan"}) {
      assertTrue(top.out().contains("  " + verb + " "), verb + " missing in\n" + top.out());
    }
    assertTrue(CliRun.of("diff", "--bogus").err().contains("--no-rollout-plan"));
    assertTrue(CliRun.of("promote", "--help").out().contains("--full"));
    assertTrue(CliRun.of("status", "--help").out().contains("--watch"));
  }

  @Test
  void hintsWhenOrdinalWouldIgnoreTheCommand() {
    Instant t = Instant.parse("2026-11-25T10:00:00Z");
    dev.ordinal.rollout.RolloutState healthy = dev.ordinal.rollout.RolloutState.healthy("db-1", t);
    dev.ordinal.rollout.RolloutState paused =
        TestStates.of(
            "db-1",
            "db-2",
            1,
            3,
            dev.ordinal.rollout.Phase.PAUSED,
            PhaseReason.USER_PAUSED,
            "",
            true,
            Set.of(),
            List.of(),
            t);
    dev.ordinal.rollout.RolloutState rolledBack =
        TestStates.of(
            "db-1",
            "db-2",
            1,
            3,
            dev.ordinal.rollout.Phase.ROLLED_BACK,
            PhaseReason.ABORTED,
            "aborted by user",
            false,
            Set.of("db-2"),
            List.of(),
            t);
    assertEquals(
        Optional.of("no rollout in progress (Healthy)"),
        RolloutCommands.ignoredBecause(Command.PROMOTE, healthy));
    assertEquals(
        Optional.of("nothing to retry"), RolloutCommands.ignoredBecause(Command.RETRY, healthy));
    assertEquals(
        Optional.of("not paused by a user"),
        RolloutCommands.ignoredBecause(Command.RESUME, healthy));
    assertEquals(
        Optional.of("already paused"), RolloutCommands.ignoredBecause(Command.PAUSE, paused));
    assertEquals(Optional.empty(), RolloutCommands.ignoredBecause(Command.RESUME, paused));
    assertEquals(Optional.empty(), RolloutCommands.ignoredBecause(Command.PROMOTE_FULL, paused));
    assertEquals(Optional.empty(), RolloutCommands.ignoredBecause(Command.ABORT, paused));
    assertEquals(Optional.empty(), RolloutCommands.ignoredBecause(Command.RETRY, rolledBack));
    assertEquals(
        Optional.of("no rollout in progress (RolledBack)"),
        RolloutCommands.ignoredBecause(Command.ABORT, rolledBack));
  }
}
