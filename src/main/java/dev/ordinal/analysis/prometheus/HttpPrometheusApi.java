package dev.ordinal.analysis.prometheus;

import dev.ordinal.manifest.AnalysisTemplate.Header;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import dev.ordinal.manifest.AnalysisTemplate.SecretKeyRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link PrometheusApi} over HTTP: one {@link PrometheusClient} per query, configured from the
 * metric's provider (address, timeout, headers, bearer token from a file or a Secret).
 */
public final class HttpPrometheusApi implements PrometheusApi {
  private final Optional<URI> addressOverride;
  private final Function<SecretKeyRef, Optional<String>> secrets;

  /**
   * @param addressOverride replaces every provider's address (e.g. a port-forward for backtests)
   * @param secrets reads a Secret key for {@code bearerTokenSecret}; empty when it does not exist
   */
  public HttpPrometheusApi(
      Optional<URI> addressOverride, Function<SecretKeyRef, Optional<String>> secrets) {
    this.addressOverride = addressOverride;
    this.secrets = secrets;
  }

  /**
   * No override, and no Secrets: a metric with {@code bearerTokenSecret} errors with a clear
   * message.
   */
  public HttpPrometheusApi() {
    this(Optional.empty(), ref -> Optional.empty());
  }

  public PrometheusClient client(Prometheus provider) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header header : provider.headers()) {
      headers.put(header.key(), header.value());
    }
    return new PrometheusClient(
        addressOverride.orElse(provider.address()),
        provider.timeout().orElse(PrometheusClient.DEFAULT_TIMEOUT),
        headers,
        token(provider));
  }

  private Supplier<Optional<String>> token(Prometheus provider) {
    if (provider.bearerTokenFile().isPresent()) {
      Path file = Path.of(provider.bearerTokenFile().get());
      return () -> {
        try {
          return Optional.of(Files.readString(file).trim());
        } catch (IOException e) {
          throw new UncheckedIOException(
              "bearerTokenFile " + file + ": " + e.getClass().getSimpleName(), e);
        }
      };
    }
    if (provider.bearerTokenSecret().isPresent()) {
      SecretKeyRef ref = provider.bearerTokenSecret().get();
      return () ->
          Optional.of(
              secrets
                  .apply(ref)
                  .orElseThrow(
                      () ->
                          new IllegalStateException(
                              "bearerTokenSecret "
                                  + ref.name()
                                  + "/"
                                  + ref.key()
                                  + " is not available")));
    }
    return Optional::empty;
  }

  @Override
  public QueryResult query(Prometheus provider, String promql) throws PrometheusException {
    return client(provider).query(promql);
  }

  @Override
  public QueryResult.Matrix queryRange(
      Prometheus provider, String promql, Instant from, Instant to, Duration step)
      throws PrometheusException {
    return client(provider).queryRange(promql, from, to, step);
  }
}
