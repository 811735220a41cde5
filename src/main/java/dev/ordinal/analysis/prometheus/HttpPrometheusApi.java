package dev.ordinal.analysis.prometheus;

import dev.ordinal.manifest.AnalysisTemplate.Header;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import dev.ordinal.manifest.AnalysisTemplate.SecretKeyRef;
import java.net.URI;
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
  private final PrometheusServers servers;

  /**
   * @param addressOverride replaces every server's address (e.g. a port-forward for backtests)
   * @param secrets reads a Secret key in Ordinal's namespace; empty when it does not exist
   * @param servers the servers of Ordinal's config that templates resolve to
   */
  public HttpPrometheusApi(
      Optional<URI> addressOverride,
      Function<SecretKeyRef, Optional<String>> secrets,
      PrometheusServers servers) {
    this.addressOverride = addressOverride;
    this.secrets = secrets;
    this.servers = servers;
  }

  /** Templates used as written: their address, no Secrets (tests and backtests). */
  public HttpPrometheusApi(
      Optional<URI> addressOverride, Function<SecretKeyRef, Optional<String>> secrets) {
    this(addressOverride, secrets, PrometheusServers.AS_WRITTEN);
  }

  public HttpPrometheusApi() {
    this(Optional.empty(), ref -> Optional.empty());
  }

  public PrometheusClient client(Prometheus provider) throws PrometheusException {
    Optional<PrometheusServers.Server> server =
        servers.resolve(provider, addressOverride.isPresent());
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header header : provider.headers()) {
      headers.put(header.key(), header.value());
    }
    return new PrometheusClient(
        addressOverride.orElseGet(() -> server.orElseThrow().address()),
        provider
            .timeout()
            .or(() -> server.flatMap(PrometheusServers.Server::timeout))
            .orElse(PrometheusClient.DEFAULT_TIMEOUT),
        headers,
        token(
            provider
                .bearerTokenSecret()
                .or(() -> server.flatMap(PrometheusServers.Server::bearerTokenSecret))));
  }

  private Supplier<Optional<String>> token(Optional<SecretKeyRef> secret) {
    if (secret.isEmpty()) {
      return Optional::empty;
    }
    SecretKeyRef ref = secret.get();
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
