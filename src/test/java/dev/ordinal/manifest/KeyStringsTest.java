package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyStringsTest {

  private static String key(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
    int colon = line.indexOf(':');
    return KeyStrings.of(bytes, 2, colon);
  }

  @Test
  void aKeySeenBeforeIsTheSameString() {
    String first = key("  containerPort: 5432");
    String second = key("  containerPort: 8080");
    assertEquals("containerPort", first);
    assertSame(first, second);
  }

  @Test
  void keysThatShareASlotEachReadTheirOwnText() {
    // Enough distinct keys to fill every slot several times over: each must come back as itself.
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      String text = "k" + Integer.toString(i, 36);
      assertEquals(text, key("  " + text + ": v"));
      seen.put(text, text);
    }
    for (String text : seen.keySet()) {
      assertEquals(text, key("  " + text + ": v"));
    }
  }

  @Test
  void longKeysAreMadeEachTime() {
    String name = "example.com/" + "a".repeat(70);
    String first = key("  " + name + ": x");
    assertEquals(name, first);
    assertNotSame(first, key("  " + name + ": y"));
  }
}
