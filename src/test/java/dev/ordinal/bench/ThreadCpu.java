package dev.ordinal.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU-seconds this JVM's threads have used, grouped by what they do (C2, C1, GC, the VM thread, the
 * rest), and in all, read from Linux's /proc. On two cores a cold figure is bounded by CPU, and the
 * split says whether the time went to the work or to compiling it. A thread that ends takes its CPU
 * out of its group (the JVM stops idle compiler threads), but not out of "total". Empty where /proc
 * is not there.
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
    try {
      groups.put("total", seconds(Files.readString(Path.of("/proc/self/stat"))));
    } catch (IOException e) {
      return new TreeMap<>();
    }
    try (Stream<Path> list = Files.list(tasks)) {
      for (Path task : list.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
        } catch (IOException threadEnded) {
          continue;
        }
        // The name is in parentheses and may hold spaces.
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        groups.merge(group(name), seconds(stat), Double::sum);
      }
    } catch (IOException e) {
      return new TreeMap<>();
    }
    return groups;
  }

  /** utime + stime of a stat line: fields 14 and 15, counted after the parenthesised name. */
  private static double seconds(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // The array starts at field 3.
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
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
    if (threadName.equals("VM Thread")) {
      // Safepoints, and all of a collection under the serial collector.
      return "vm";
    }
    return "work";
  }
}
