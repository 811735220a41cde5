package dev.ordinal.web;

import dev.ordinal.analysis.RunSnapshot;
import dev.ordinal.rollout.LiveRollout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The live status page on Ordinal's internal listener: {@code /} is the page, {@code /ui/*} its
 * script, style and icon (from the jar: no CDN, no build step), {@code /status} the JSON it polls.
 * Read-only (the listener answers GET and HEAD only): promote and abort stay with the CLI and
 * annotations, so the page needs no authentication of its own. Everything from Git or the cluster
 * reaches the browser as JSON data and is put into the page as text, never as markup; the
 * Content-Security-Policy forbids inline script as a second wall.
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

  private static final Map<String, String> SECURITY =
      Map.of(
          "Content-Security-Policy",
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
              + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          "Referrer-Policy",
          "no-referrer");

  /** Each path the page serves, with the resource in the jar and its content type. */
  private record Asset(String resource, String contentType) {}

  private static final Map<String, Asset> ASSETS =
      Map.of(
          "/", new Asset("ui/index.html", "text/html; charset=utf-8"),
          "/ui/status.js", new Asset("ui/status.js", "text/javascript; charset=utf-8"),
          "/ui/status.css", new Asset("ui/status.css", "text/css; charset=utf-8"),
          "/ui/favicon.svg", new Asset("ui/favicon.svg", "image/svg+xml"));

  private final Source source;
  private final DecisionHistory history;
  private final Clock clock;

  public StatusPage(Source source, DecisionHistory history, Clock clock) {
    this.source = source;
    this.history = history;
    this.clock = clock;
  }

  /**
   * Adds the page and its assets to {@code http}, read from the jar once, here; {@code /status} is
   * {@link #json}, which {@link HttpEndpoints#serve} adds.
   *
   * @throws IllegalStateException when an asset is missing from the jar (a broken build)
   */
  public void register(HttpEndpoints http) {
    ASSETS.forEach(
        (path, asset) -> {
          Endpoint.Reply reply =
              new Endpoint.Reply(200, asset.contentType(), read(asset.resource()), SECURITY);
          http.register(path, get -> reply);
        });
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

  private static byte[] read(String resource) {
    try (InputStream in = StatusPage.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the status page's " + resource + " is not in the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the status page's " + resource, e);
    }
  }
}
