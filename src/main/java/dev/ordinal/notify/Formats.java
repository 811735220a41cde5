package dev.ordinal.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two bodies a notification is sent as: Slack's incoming-webhook JSON (also understood by
 * Mattermost, Rocket.Chat and Discord's {@code /slack} endpoints), and a generic JSON object with
 * every field for anything else.
 */
public final class Formats {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Which body a webhook receives. */
  public enum Format {
    SLACK,
    JSON
  }

  private Formats() {}

  public static String render(Format format, Notification n) {
    return format == Format.SLACK ? slack(n) : json(n);
  }

  /** Every field, as data: {@code kind} is the enum name, times are ISO-8601. */
  static String json(Notification n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", n.kind().name());
    m.put("title", n.kind().title());
    m.put("at", n.at().toString());
    m.put("namespace", n.namespace());
    m.put("statefulSet", n.statefulSet());
    m.put("app", n.app());
    m.put("commit", n.commit());
    m.put("stableRevision", n.stable());
    m.put("targetRevision", n.target());
    m.put("step", n.step());
    m.put("steps", n.steps());
    m.put("reason", n.reason());
    m.put("message", n.message());
    List<Map<String, Object>> analysis = new ArrayList<>();
    for (Notification.Finding f : n.analysis()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("template", f.template());
      x.put("metric", f.metric());
      x.put("phase", f.phase());
      x.put("values", f.values());
      x.put("condition", f.condition());
      x.put("limit", f.limit());
      analysis.add(x);
    }
    m.put("analysis", analysis);
    return write(m);
  }

  /**
   * A Slack message: a one-line {@code text} (what notifications on a phone show) and an attachment
   * with a colour by kind and the details as fields. Text is escaped as Slack requires ({@code &},
   * {@code <}, {@code >}), so a name from Git cannot become a link or a mention.
   */
  static String slack(Notification n) {
    String who = n.namespace() + "/" + n.statefulSet();
    String text =
        switch (n.kind()) {
          case ROLLOUT_STARTED -> "Rollout of " + who + " started";
          case STEP_PASSED -> who + " passed step " + passed(n);
          case PAUSED -> who + " is paused for a human at step " + n.step() + "/" + n.steps();
          case ROLLED_BACK -> who + " is rolling back";
          case COMPLETED -> "Rollout of " + who + " completed";
        };
    List<Map<String, Object>> fields = new ArrayList<>();
    field(fields, "App", n.app(), true);
    field(
        fields,
        "Commit",
        n.commit().length() > 12 ? n.commit().substring(0, 12) : n.commit(),
        true);
    field(
        fields,
        "Step",
        n.steps() == 0 ? "" : Math.min(n.step(), n.steps()) + "/" + n.steps(),
        true);
    field(fields, "Revision", n.stable() + " → " + n.target(), true);
    if (!n.reason().isEmpty() && !n.reason().equals(n.message())) {
      field(fields, "Reason", n.reason(), false);
    }
    for (Notification.Finding f : n.analysis()) {
      field(
          fields,
          f.template() + " / " + f.metric() + " " + f.phase(),
          "values " + String.join(", ", f.values()) + "\n" + f.condition() + "\n" + f.limit(),
          false);
    }
    Map<String, Object> attachment = new LinkedHashMap<>();
    attachment.put("color", color(n.kind()));
    attachment.put("title", escape(n.kind().title() + ": " + who));
    attachment.put("text", escape(n.message()));
    attachment.put("fields", fields);
    attachment.put("footer", "Ordinal");
    attachment.put("ts", n.at().getEpochSecond());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", escape(text));
    m.put("attachments", List.of(attachment));
    return write(m);
  }

  private static String passed(Notification n) {
    return n.steps() == 0 ? String.valueOf(n.step()) : n.step() + "/" + n.steps();
  }

  private static void field(
      List<Map<String, Object>> fields, String title, String value, boolean brief) {
    if (value == null || value.isEmpty()) {
      return;
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("title", escape(title));
    f.put("value", escape(value));
    f.put("short", brief);
    fields.add(f);
  }

  private static String color(Notification.Kind kind) {
    return switch (kind) {
      case ROLLOUT_STARTED, STEP_PASSED -> "#0969da";
      case PAUSED -> "#bf8700";
      case ROLLED_BACK -> "#cf222e";
      case COMPLETED -> "#1a7f37";
    };
  }

  /** Slack's three control characters; everything else is plain text in its JSON. */
  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String write(Map<String, Object> m) {
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of strings and numbers always serialize", e);
    }
  }
}
