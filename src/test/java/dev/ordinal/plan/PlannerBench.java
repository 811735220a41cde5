package dev.ordinal.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Prints planner throughput; not a test. Plans N distinct StatefulSets against defaulted live
 * copies (half unchanged, half with an image change), first run and warm, planning alone and the
 * whole parse (desired YAML as from Git, live JSON as from the API server) + plan pipeline.
 *
 * <pre>
 * mvn -B -q -Dordinal.buildDir=target-plan test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target-plan/cp.txt -Dmdep.includeScope=test
 * java -cp target-plan/classes:target-plan/test-classes:$(cat target-plan/cp.txt) \
 *     dev.ordinal.plan.PlannerBench 1000 10000
 * </pre>
 *
 * The first N in the argument list is measured in a cold JVM; give one N per run for cold figures
 * of each size.
 */
public final class PlannerBench {
  private static final int WARMUP_ROUNDS = 15;
  private static final long WARMUP_NANOS = 5_000_000_000L;
  private static final int MEASURED_ROUNDS = 10;

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private record Input(List<String> desiredYaml, List<String> liveJson) {}

  private record Parsed(List<HasMetadata> desired, List<HasMetadata> live) {}

  public static void main(String[] args) throws Exception {
    int[] sizes =
        args.length == 0
            ? new int[] {1_000, 10_000}
            : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    System.out.printf(
        Locale.ROOT,
        "cores=%d java=%s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    for (int size : sizes) {
      run(size);
    }
    // Other work on the machine skews the figures; the load average says how much.
    System.out.printf(
        Locale.ROOT,
        "load average (1 min) at end: %.2f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static void run(int size) throws Exception {
    Input input = generate(size);
    PlanOptions options = PlanOptions.of("prod", "shop");

    // First run: parse and plan once, before any warm-up of this size.
    long start = System.nanoTime();
    Parsed parsed = parse(input);
    long parsedAt = System.nanoTime();
    Plan plan = Planner.plan(parsed.desired(), parsed.live(), options);
    long end = System.nanoTime();
    check(plan, size);
    report(size, "first run", "parse+plan", end - start);
    report(size, "first run", "plan only", end - parsedAt);

    // Warm up for a number of rounds and a minimum time, whichever is longer, so that small sizes
    // reach compiled code too.
    long warmUntil = System.nanoTime() + WARMUP_NANOS;
    for (int i = 0; i < WARMUP_ROUNDS || System.nanoTime() < warmUntil; i++) {
      check(Planner.plan(parse(input).desired(), parsed.live(), options), size);
    }
    long[] pipeline = new long[MEASURED_ROUNDS];
    for (int i = 0; i < MEASURED_ROUNDS; i++) {
      long t0 = System.nanoTime();
      Parsed round = parse(input);
      Plan result = Planner.plan(round.desired(), round.live(), options);
      pipeline[i] = System.nanoTime() - t0;
      check(result, size);
    }
    // Planning alone, on objects already parsed, so that parsing's garbage is not collected
    // during the measurement.
    long[] planOnly = new long[MEASURED_ROUNDS];
    for (int i = 0; i < MEASURED_ROUNDS; i++) {
      long t0 = System.nanoTime();
      Plan result = Planner.plan(parsed.desired(), parsed.live(), options);
      planOnly[i] = System.nanoTime() - t0;
      check(result, size);
    }
    report(size, "warm median", "parse+plan", median(pipeline));
    report(size, "warm median", "plan only", median(planOnly));
  }

  private static Input generate(int size) throws Exception {
    String desiredTemplate = Fixtures.desiredStatefulSetYaml();
    String liveJson = JSON.writeValueAsString(Fixtures.liveStatefulSet());
    List<String> desired = new ArrayList<>(size);
    List<String> live = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      String name = "db-" + i;
      String yaml = desiredTemplate.replace("name: db\n  labels", "name: " + name + "\n  labels");
      if (i % 2 == 1) {
        yaml = yaml.replace("image: postgres:16.4", "image: postgres:16.5");
      }
      desired.add(yaml);
      live.add(
          liveJson.replace(
              "\"name\":\"db\",\"namespace\"", "\"name\":\"" + name + "\",\"namespace\""));
    }
    return new Input(desired, live);
  }

  private static Parsed parse(Input input) {
    List<HasMetadata> desired =
        input.desiredYaml().parallelStream()
            .map(yaml -> (HasMetadata) Fixtures.parse(yaml, StatefulSet.class))
            .collect(Collectors.toList());
    List<HasMetadata> live =
        input.liveJson().parallelStream().map(PlannerBench::readLive).collect(Collectors.toList());
    return new Parsed(desired, live);
  }

  private static HasMetadata readLive(String json) {
    try {
      return JSON.readValue(json, StatefulSet.class);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void check(Plan plan, int size) {
    Plan.Counts counts = plan.counts();
    if (counts.unchanged() != size - size / 2 || counts.update() != size / 2) {
      throw new IllegalStateException("unexpected plan " + counts);
    }
  }

  private static long median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static void report(int size, String when, String what, long nanos) {
    double seconds = nanos / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%,7d StatefulSets  %-11s  %-10s  %8.1f ms  %,10.0f StatefulSets/s%n",
        size,
        when,
        what,
        seconds * 1e3,
        size / seconds);
  }
}
