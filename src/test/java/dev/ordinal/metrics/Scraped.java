package dev.ordinal.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/** Values read back from a registry by metric name and labels, as a scrape would see them. */
final class Scraped {
  private final PrometheusRegistry registry;

  Scraped(PrometheusRegistry registry) {
    this.registry = registry;
  }

  /** The value of the series {@code name{labels}}; empty when it does not exist. */
  OptionalDouble value(String name, String... labels) {
    Labels wanted = Labels.of(labels);
    for (MetricSnapshot m : registry.scrape().stream().toList()) {
      String found = m.getMetadata().getPrometheusName();
      if (!found.equals(name) && !found.equals(strip(name))) {
        continue;
      }
      for (DataPointSnapshot p : m.getDataPoints()) {
        if (!p.getLabels().equals(wanted)) {
          continue;
        }
        if (p instanceof CounterSnapshot.CounterDataPointSnapshot c) {
          return OptionalDouble.of(c.getValue());
        }
        if (p instanceof GaugeSnapshot.GaugeDataPointSnapshot g) {
          return OptionalDouble.of(g.getValue());
        }
        if (p instanceof HistogramSnapshot.HistogramDataPointSnapshot h) {
          return OptionalDouble.of(h.getCount());
        }
        if (p instanceof InfoSnapshot.InfoDataPointSnapshot) {
          return OptionalDouble.of(1);
        }
      }
    }
    return OptionalDouble.empty();
  }

  /** Every series of {@code name} as label text → value (histograms: their count). */
  Map<String, Double> all(String name) {
    Map<String, Double> found = new TreeMap<>();
    for (MetricSnapshot m : registry.scrape().stream().toList()) {
      String metric = m.getMetadata().getPrometheusName();
      if (!metric.equals(name) && !metric.equals(strip(name))) {
        continue;
      }
      for (DataPointSnapshot p : m.getDataPoints()) {
        String key = p.getLabels().toString();
        if (p instanceof CounterSnapshot.CounterDataPointSnapshot c) {
          found.put(key, c.getValue());
        } else if (p instanceof GaugeSnapshot.GaugeDataPointSnapshot g) {
          found.put(key, g.getValue());
        } else if (p instanceof HistogramSnapshot.HistogramDataPointSnapshot h) {
          found.put(key, (double) h.getCount());
        } else if (p instanceof InfoSnapshot.InfoDataPointSnapshot) {
          found.put(key, 1.0);
        }
      }
    }
    return found;
  }

  /** Snapshots name counters without their {@code _total}, info metrics without {@code _info}. */
  private static String strip(String name) {
    for (String suffix : new String[] {"_total", "_info"}) {
      if (name.endsWith(suffix)) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }
}
