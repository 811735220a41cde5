package dev.ordinal.manifest;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * CronJob schedules as Kubernetes reads them (robfig/cron's standard parser): five fields, or a
 * macro such as {@code @daily}; time zones go in {@code spec.timeZone}, not in the schedule.
 */
final class Schedules {

  private static final List<String> MACROS =
      List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly");
  private static final List<String> FIELDS =
      List.of("minute", "hour", "day of month", "month", "day of week");
  private static final int[] LOW = {0, 0, 1, 1, 0};
  private static final int[] HIGH = {59, 23, 31, 12, 6};
  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

  private Schedules() {}

  /** Why {@code schedule} is not a schedule Kubernetes accepts, or empty. */
  static Optional<String> problem(String schedule) {
    String text = schedule.strip();
    if (text.contains("TZ")) {
      return Optional.of("cannot hold TZ or CRON_TZ; set the time zone in spec.timeZone instead");
    }
    if (text.startsWith("@")) {
      if (MACROS.contains(text) || text.matches("@every \\S+")) {
        return Optional.empty();
      }
      return Optional.of("unknown macro \"" + text + "\"; use one of " + String.join(", ", MACROS));
    }
    String[] fields = text.split("\\s+");
    if (fields.length != 5) {
      return Optional.of(
          "invalid schedule \""
              + schedule
              + "\": it has "
              + fields.length
              + " field"
              + (fields.length == 1 ? "" : "s")
              + ", not 5 (minute hour day-of-month month day-of-week, such as \"0 3 * * *\"), or"
              + " use a macro such as @daily");
    }
    for (int i = 0; i < 5; i++) {
      if (!validField(fields[i], i)) {
        return Optional.of(
            "invalid schedule \""
                + schedule
                + "\": its "
                + FIELDS.get(i)
                + " field \""
                + fields[i]
                + "\" must be *, a number from "
                + LOW[i]
                + " to "
                + HIGH[i]
                + ", a range a-b, a step /n or a list of those");
      }
    }
    return Optional.empty();
  }

  private static boolean validField(String field, int index) {
    for (String part : field.split(",", -1)) {
      String range = part;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        String step = part.substring(slash + 1);
        if (!step.matches("[0-9]+") || Integer.parseInt(step) == 0) {
          return false;
        }
        range = part.substring(0, slash);
      }
      if (range.equals("*") || (range.equals("?") && (index == 2 || index == 4))) {
        continue;
      }
      String[] ends = range.split("-", -1);
      if (ends.length > 2) {
        return false;
      }
      int low = value(ends[0], index);
      int high = ends.length == 2 ? value(ends[1], index) : low;
      if (low < 0 || high < 0 || low > high) {
        return false;
      }
    }
    return true;
  }

  /** A field value, a month or day name included; -1 if out of range or not a value. */
  private static int value(String text, int index) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (index == 3 && MONTHS.contains(lower)) {
      return MONTHS.indexOf(lower) + 1;
    }
    if (index == 4 && DAYS.contains(lower)) {
      return DAYS.indexOf(lower);
    }
    if (!text.matches("[0-9]{1,9}")) {
      return -1;
    }
    int value = Integer.parseInt(text);
    return value < LOW[index] || value > HIGH[index] ? -1 : value;
  }
}
