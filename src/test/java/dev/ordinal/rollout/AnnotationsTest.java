package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnnotationsTest {
  @Test
  void commandsAreReadFromTheirOwnAnnotationsAndUnknownOnesIgnored() {
    Map<String, String> annotations =
        Map.of(
            "ordinal.dev/command-promote-full", "2026-11-25T13:00:00Z",
            "ordinal.dev/command-abort", "",
            "ordinal.dev/command-frobnicate", "x",
            "ordinal.dev/policy", "canary");
    assertEquals(Set.of(Command.PROMOTE_FULL, Command.ABORT), Annotations.commands(annotations));
    assertEquals("ordinal.dev/command-promote-full", Annotations.commandKey(Command.PROMOTE_FULL));
  }
}
