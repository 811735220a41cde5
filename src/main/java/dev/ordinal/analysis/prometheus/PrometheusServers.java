package dev.ordinal.analysis.prometheus;

import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import dev.ordinal.manifest.AnalysisTemplate.SecretKeyRef;
import dev.ordinal.manifest.AnalysisTrust;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Prometheus servers Ordinal's config names, with their credentials: what a template's provider
 * resolves to at run time. A template names a server, an address the config lists, or nothing (the
 * {@code default} server); the credentials are the server's, from a Secret in Ordinal's namespace.
 */
public final class PrometheusServers {
  /** One configured server. */
  public record Server(
      String name,
      URI address,
      Optional<SecretKeyRef> bearerTokenSecret,
      Optional<Duration> timeout) {}

  /** No servers: templates are used as written (tests and backtests given an address). */
  public static final PrometheusServers AS_WRITTEN = new PrometheusServers(Map.of(), false);

  private final Map<String, Server> servers;
  private final boolean enforced;

  private PrometheusServers(Map<String, Server> servers, boolean enforced) {
    this.servers = Map.copyOf(servers);
    this.enforced = enforced;
  }

  /** The servers of Ordinal's config; a template may reach nothing else. */
  public static PrometheusServers configured(Map<String, Server> servers) {
    return new PrometheusServers(new LinkedHashMap<>(servers), true);
  }

  /**
   * Why {@code address} cannot be a Prometheus server's address, or empty if it can: an http(s) URL
   * with a host, and no user or password in it. Java's HTTP client sends no basic auth from a URL,
   * so credentials there would do nothing but appear wherever the address is named (logs, a
   * rollout's status, Events); a bearer token from a Secret is how Ordinal authenticates.
   */
  public static Optional<String> addressProblem(String address) {
    URI uri;
    try {
      uri = new URI(address.strip());
    } catch (URISyntaxException e) {
      return Optional.of("not a URL (" + e.getReason() + " at index " + e.getIndex() + ")");
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
        || uri.getHost() == null) {
      return Optional.of("not an http(s) URL with a host, such as http://prometheus:9090");
    }
    if (uri.getRawUserInfo() != null) {
      return Optional.of(
          "has a user or password in it, which Ordinal would not send and would show wherever it"
              + " names the server; use a bearer token from a Secret instead");
    }
    return Optional.empty();
  }

  /** What the manifest loader checks templates against. */
  public AnalysisTrust trust(Set<String> analysisSecrets) {
    Map<String, URI> addresses = new LinkedHashMap<>();
    servers.forEach((name, server) -> addresses.put(name, server.address()));
    return new AnalysisTrust(addresses, analysisSecrets, true);
  }

  /**
   * The server a template's provider queries.
   *
   * @throws PrometheusException when it names nothing the config has (load-time checks refuse such
   *     templates first; this holds even if one slipped through)
   */
  public Optional<Server> resolve(Prometheus provider, boolean addressGiven)
      throws PrometheusException {
    if (addressGiven && !enforced) {
      // a backtest's --prometheus: the operator chose where queries go, in place of an address or
      // a server of a config the backtest does not read
      return Optional.empty();
    }
    return Optional.of(resolve(provider));
  }

  public Server resolve(Prometheus provider) throws PrometheusException {
    if (provider.server().isPresent()) {
      Server server = servers.get(provider.server().get());
      if (server == null) {
        throw new PrometheusException(
            "no Prometheus server '" + provider.server().get() + "' in Ordinal's config" + known());
      }
      return server;
    }
    if (provider.explicitAddress().isPresent()) {
      URI address = provider.explicitAddress().get();
      for (Server server : servers.values()) {
        if (server.address().equals(address)) {
          return server;
        }
      }
      if (enforced) {
        throw new PrometheusException(
            "refused: " + address + " is not a Prometheus server in Ordinal's config" + known());
      }
      return new Server("", address, Optional.empty(), Optional.empty());
    }
    Server fallback = servers.get(AnalysisTrust.DEFAULT_SERVER);
    if (fallback == null) {
      throw new PrometheusException(
          "the template names no Prometheus server and Ordinal's config has no default" + known());
    }
    return fallback;
  }

  private String known() {
    return " (servers: " + String.join(", ", new TreeSet<>(servers.keySet())) + ")";
  }
}
