package dev.ordinal.manifest;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Cron schedules as Kubernetes reads them (robfig/cron's standard parser): five fields, or a macro
 * such as {@code @daily}; time zones go beside the schedule ({@code spec.timeZone}), not in it. One
 * parser serves CronJobs (which are only checked) and the promotions' recurring freeze windows
 * (which also need to know when the schedule fired).
 */
public final class Schedules {

  private static final List<String> MACROS =
      List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly");
  private static final Map<String, String> MACRO_FIELDS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");
  private static final List<String> FIELDS =
      List.of("minute", "hour", "day of month", "month", "day of week");
  private static final int[] LOW = {0, 0, 1, 1, 0};
  private static final int[] HIGH = {59, 23, 31, 12, 6};
  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

  private Schedules() {}

  /**
   * A parsed schedule: bit {@code n} of each mask is set when the field allows value {@code n}.
   *
   * @param text the schedule as written, for messages
   * @param anyDayOfMonth the day-of-month field was {@code *} or {@code ?}: as in cron, the two day
   *     fields must then both match; when both are restricted, either one matching is enough
   */
  public record Cron(
      String text,
      long minutes,
      long hours,
      long daysOfMonth,
      long months,
      long daysOfWeek,
      boolean anyDayOfMonth,
      boolean anyDayOfWeek) {

    /** Whether the schedule fires at some time of {@code day}. */
    public boolean firesOn(LocalDate day) {
      if (!has(months, day.getMonthValue())) {
        return false;
      }
      boolean dom = has(daysOfMonth, day.getDayOfMonth());
      boolean dow =
          has(
              daysOfWeek,
              day.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : day.getDayOfWeek().getValue());
      return anyDayOfMonth || anyDayOfWeek ? dom && dow : dom || dow;
    }

    /**
     * The latest firing at or before {@code now} and after {@code now - within}, read on the wall
     * clock of {@code zone}. A wall-clock time the zone skips (spring forward) fires at the same
     * offset after the change, as {@link ZonedDateTime#of} places it; a time the zone repeats (fall
     * back) fires once, at its earlier occurrence.
     */
    public Optional<Instant> lastFiring(Instant now, Duration within, ZoneId zone) {
      Instant earliest = now.minus(within);
      LocalDate day = now.atZone(zone).toLocalDate();
      // One day more than the span, so that a day made longer or shorter by a change of offset is
      // still searched.
      LocalDate stop = earliest.atZone(zone).toLocalDate().minusDays(1);
      for (; !day.isBefore(stop); day = day.minusDays(1)) {
        if (!firesOn(day)) {
          continue;
        }
        Instant latest = null;
        for (int hour = 23; hour >= 0; hour--) {
          if (!has(hours, hour)) {
            continue;
          }
          for (int minute = 59; minute >= 0; minute--) {
            if (!has(minutes, minute)) {
              continue;
            }
            Instant at = ZonedDateTime.of(day.atTime(hour, minute), zone).toInstant();
            if (!at.isAfter(now)
                && at.isAfter(earliest)
                && (latest == null || at.isAfter(latest))) {
              latest = at;
            }
          }
        }
        if (latest != null) {
          return Optional.of(latest);
        }
      }
      return Optional.empty();
    }

    private static boolean has(long mask, int value) {
      return (mask & (1L << value)) != 0;
    }
  }

  /** Why {@code schedule} is not a schedule Kubernetes accepts for a CronJob, or empty. */
  static Optional<String> problem(String schedule) {
    String text = schedule.strip();
    if (text.contains("TZ")) {
      return Optional.of("cannot hold TZ or CRON_TZ; set the time zone in spec.timeZone instead");
    }
    if (text.matches("@every \\S+")) {
      return Optional.empty();
    }
    try {
      parse(schedule);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * The five-field schedule or macro; {@code @every} is refused, as it has no calendar times.
   *
   * @throws IllegalArgumentException with a message that names the field at fault and the fix
   */
  public static Cron parse(String schedule) {
    String text = schedule.strip();
    if (text.contains("TZ")) {
      throw new IllegalArgumentException(
          "cannot hold TZ or CRON_TZ; set the time zone in the timeZone field instead");
    }
    if (text.startsWith("@")) {
      String fields = MACRO_FIELDS.get(text);
      if (fields == null) {
        throw new IllegalArgumentException(
            "unknown macro \"" + text + "\"; use one of " + String.join(", ", MACROS));
      }
      Cron cron = parse(fields);
      return new Cron(
          text,
          cron.minutes(),
          cron.hours(),
          cron.daysOfMonth(),
          cron.months(),
          cron.daysOfWeek(),
          cron.anyDayOfMonth(),
          cron.anyDayOfWeek());
    }
    String[] fields = text.split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException(
          "invalid schedule \""
              + schedule
              + "\": it has "
              + fields.length
              + " field"
              + (fields.length == 1 ? "" : "s")
              + ", not 5 (minute hour day-of-month month day-of-week, such as \"0 3 * * *\"), or"
              + " use a macro such as @daily");
    }
    long[] masks = new long[5];
    for (int i = 0; i < 5; i++) {
      masks[i] = mask(fields[i], i);
      if (masks[i] == 0) {
        throw new IllegalArgumentException(
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
    return new Cron(
        text,
        masks[0],
        masks[1],
        masks[2],
        masks[3],
        masks[4],
        startsWithAny(fields[2]),
        startsWithAny(fields[4]));
  }

  private static boolean startsWithAny(String field) {
    return field.startsWith("*") || field.startsWith("?");
  }

  /** The values a field allows, as bits; 0 when the field is not valid. */
  private static long mask(String field, int index) {
    long mask = 0;
    for (String part : field.split(",", -1)) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        String stepText = part.substring(slash + 1);
        if (!stepText.matches("[0-9]{1,9}") || Integer.parseInt(stepText) == 0) {
          return 0;
        }
        step = Integer.parseInt(stepText);
        range = part.substring(0, slash);
      }
      int low;
      int high;
      if (range.equals("*") || (range.equals("?") && (index == 2 || index == 4))) {
        low = LOW[index];
        high = HIGH[index];
      } else {
        String[] ends = range.split("-", -1);
        if (ends.length > 2) {
          return 0;
        }
        low = value(ends[0], index);
        // "5/15" runs from 5 to the end of the range, as in robfig/cron.
        high = ends.length == 2 ? value(ends[1], index) : slash >= 0 ? HIGH[index] : low;
        if (low < 0 || high < 0 || low > high) {
          return 0;
        }
      }
      for (int v = low; v <= high; v += step) {
        mask |= 1L << v;
      }
    }
    return mask;
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
