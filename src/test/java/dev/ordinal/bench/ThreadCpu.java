package dev.ordinal.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU-seconds this JVM's threads have used, grouped by what they do (C2, C1, GC, the rest), read
 * from Linux's /proc/self/task. On two cores a cold figure is bounded by CPU, and the split says
 * whether the time went to the work or to compiling it. Empty where /proc is not there.
 */
final class ThreadCpu {
  /** USER_HZ, which every Linux build the JDK runs on uses for /proc's tick counts. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ThreadCpu() {}

  static Map<String, Double> byGroup() {
    Map<String, Double> groups = new TreeMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return groups;
    }
    try (Stream<Path> list = Files.list(tasks)) {
      for (Path task : list.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
        } catch (IOException threadEnded) {
          continue;
        }
        // The name is in parentheses and may hold spaces; the fields after it are plain.
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close);
        String[] fields = stat.substring(close + 2).split(" ");
        // utime and stime are fields 14 and 15 of stat; the array starts at field 3.
        double seconds =
            (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        groups.merge(group(name), seconds, Double::sum);
      }
    } catch (IOException e) {
      return new TreeMap<>();
    }
    return groups;
  }

  private static String group(String threadName) {
    if (threadName.startsWith("C2 Compiler")) {
      return "c2";
    }
    if (threadName.startsWith("C1 Compiler")) {
      return "c1";
    }
    if (threadName.startsWith("GC ") || threadName.startsWith("G1 ")) {
      return "gc";
    }
    return "work";
  }
}
