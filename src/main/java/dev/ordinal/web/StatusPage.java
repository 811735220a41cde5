package dev.ordinal.web;

import dev.ordinal.analysis.RunSnapshot;
import dev.ordinal.rollout.LiveRollout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The live status page on Ordinal's internal port: {@code /} is the page, {@code /ui/*} its script
 * and style (from the jar: no CDN, no build step), {@code /status} the JSON it polls. Read-only:
 * promote and abort stay with the CLI and annotations, so the page needs no authentication of its
 * own. Everything from Git or the cluster reaches the browser as JSON data and is put into the page
 * as text, never as markup; the Content-Security-Policy forbids inline script as a second wall.
 *
 * <p>Written against plain requests and responses ({@link #handle}), so any HTTP server can mount
 * it.
 */
public final class StatusPage {
  /** What the page shows, read when a request comes. */
  public interface Source {
    /** {@code leader}, {@code standby} or {@code not_ready}. */
    String role();

    List<AppStatus> apps();

    /** Every StatefulSet under a rollout policy, as the watch caches hold it. */
    List<LiveRollout> rollouts();

    /** The analysis runs of the rollout's current attempt, background first. */
    List<AnalysisRun> runs(LiveRollout rollout);
  }

  /**
   * An analysis run of a rollout.
   *
   * @param step the 1-based step of an analysis step, 0 for the background analysis
   */
  public record AnalysisRun(int step, RunSnapshot snapshot) {}

  /** An HTTP answer. */
  public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    static Response text(int status, String text) {
      return new Response(
          status,
          "text/plain; charset=utf-8",
          text.getBytes(StandardCharsets.UTF_8),
          Map.of("Cache-Control", "no-store"));
    }
  }

  private static final Map<String, String> SECURITY =
      Map.of(
          "Content-Security-Policy",
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
              + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          "X-Content-Type-Options",
          "nosniff",
          "Referrer-Policy",
          "no-referrer",
          "Cache-Control",
          "no-store");

  private static final Map<String, String> ASSETS =
      Map.of(
          "/ui/status.js", "text/javascript; charset=utf-8",
          "/ui/status.css", "text/css; charset=utf-8",
          "/ui/favicon.svg", "image/svg+xml");

  private final Source source;
  private final DecisionHistory history;
  private final Clock clock;

  public StatusPage(Source source, DecisionHistory history, Clock clock) {
    this.source = source;
    this.history = history;
    this.clock = clock;
  }

  /** Answers a GET of {@code path}; anything else is 405. */
  public Response handle(String method, String path) {
    if (!"GET".equals(method)) {
      return Response.text(405, "read-only: GET only\n");
    }
    if (path.equals("/") || path.equals("/index.html")) {
      return asset("/ui/index.html", "text/html; charset=utf-8");
    }
    if (path.equals("/status")) {
      return new Response(
          200,
          "application/json",
          json().getBytes(StandardCharsets.UTF_8),
          Map.of("Cache-Control", "no-store", "X-Content-Type-Options", "nosniff"));
    }
    String type = ASSETS.get(path);
    if (type != null) {
      return asset(path, type);
    }
    return Response.text(404, "not found\n");
  }

  /** The {@code /status} document. */
  public String json() {
    Instant now = clock.instant();
    List<Map<String, Object>> rollouts = new ArrayList<>();
    for (LiveRollout r : source.rollouts()) {
      rollouts.add(RolloutJson.of(r, source.runs(r), history.rollout(r.sts().key()), now));
    }
    return StatusJson.render(source.role(), now.toString(), source.apps(), history::app, rollouts);
  }

  private static Response asset(String path, String type) {
    try (InputStream in = StatusPage.class.getResourceAsStream("/dev/ordinal/web" + path)) {
      if (in == null) {
        return Response.text(404, "not found\n");
      }
      return new Response(200, type, in.readAllBytes(), SECURITY);
    } catch (IOException e) {
      return Response.text(500, "cannot read " + path + "\n");
    }
  }
}
