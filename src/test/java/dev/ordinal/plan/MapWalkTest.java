package dev.ordinal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MapWalkTest {
  private static Map<String, Integer> numbers() {
    Map<String, Integer> numbers = new LinkedHashMap<>();
    numbers.put("one", 1);
    numbers.put("two", 2);
    numbers.put("three", 3);
    numbers.put("four", 4);
    return numbers;
  }

  @Test
  void theFirstKeyIsTheFirstInTheMapsOrderThatPasses() {
    assertEquals("two", MapWalk.firstKey(numbers(), (name, value) -> value % 2 == 0));
    assertEquals("three", MapWalk.firstKey(numbers(), (name, value) -> name.startsWith("th")));
  }

  @Test
  void noKeyPassingIsNotFoundNotNull() {
    Map<String, Integer> withNull = new HashMap<>();
    withNull.put(null, 0);
    assertSame(MapWalk.NOT_FOUND, MapWalk.firstKey(numbers(), (name, value) -> value > 4));
    assertSame(MapWalk.NOT_FOUND, MapWalk.firstKey(Map.of(), (name, value) -> true));
    // A null key that passes is found, and told apart from none.
    assertEquals(null, MapWalk.firstKey(withNull, (name, value) -> value == 0));
  }

  @Test
  void anyEntrySaysWhetherOnePasses() {
    assertTrue(MapWalk.anyEntry(numbers(), (name, value) -> value == 4));
    assertFalse(MapWalk.anyEntry(numbers(), (name, value) -> value == 5));
    assertFalse(MapWalk.anyEntry(new LinkedHashMap<>(), (name, value) -> true));
  }

  @Test
  void noEntryIsTestedAfterTheFirstThatPasses() {
    List<String> tested = new ArrayList<>();
    MapWalk.firstKey(
        numbers(),
        (name, value) -> {
          tested.add(name);
          return value == 2;
        });
    assertEquals(List.of("one", "two"), tested);
  }
}
