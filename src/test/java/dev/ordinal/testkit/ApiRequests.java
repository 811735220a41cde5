package dev.ordinal.testkit;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server's own count of the requests it served ({@code apiserver_request_total} from its
 * /metrics, read with the admin credentials), by verb and resource: what a test or benchmark
 * compares before and after something Ordinal does.
 */
public final class ApiRequests {
  private static final Pattern LINE =
      Pattern.compile("^apiserver_request_total\\{([^}]*)\\} ([0-9.e+]+)$", Pattern.MULTILINE);
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private ApiRequests() {}

  /** "VERB resource" → count, summed over codes, scopes and the other labels. */
  public static Map<String, Long> snapshot(KubernetesClient admin) {
    String metrics = admin.raw("/metrics");
    Map<String, Long> counts = new TreeMap<>();
    Matcher line = LINE.matcher(metrics);
    while (line.find()) {
      Map<String, String> labels = new TreeMap<>();
      Matcher label = LABEL.matcher(line.group(1));
      while (label.find()) {
        labels.put(label.group(1), label.group(2));
      }
      String key =
          labels.getOrDefault("verb", "?")
              + " "
              + labels.getOrDefault("resource", "?")
              + (labels.getOrDefault("subresource", "").isEmpty()
                  ? ""
                  : "/" + labels.get("subresource"));
      counts.merge(key, (long) Double.parseDouble(line.group(2)), Long::sum);
    }
    return counts;
  }

  /** What {@code after} counts beyond {@code before}, only where it grew. */
  public static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> delta = new TreeMap<>();
    after.forEach(
        (key, count) -> {
          long grown = count - before.getOrDefault(key, 0L);
          if (grown > 0) {
            delta.put(key, grown);
          }
        });
    return delta;
  }
}
