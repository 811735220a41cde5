package dev.ordinal.manifest;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where an AnalysisTemplate from Git may send queries and which credentials it may use: the
 * Prometheus servers and Secrets the operator named in Ordinal's config, never free-form. A
 * template refers to a server by name ({@code server}), by an address the config lists, or to the
 * {@code default} server by naming none; {@code bearerTokenFile} is never allowed (it would read
 * any file on Ordinal's pod, its service-account token included, and send it wherever the address
 * points).
 *
 * @param servers server name → address, from the config's {@code prometheus:}
 * @param secrets Secrets in Ordinal's namespace that templates may name in {@code
 *     bearerTokenSecret} (the config's {@code analysisSecrets:})
 * @param configured whether a config was given: without one (plain {@code ordinal validate}) no
 *     address and no Secret is allowed, and a named server cannot be checked
 */
public record AnalysisTrust(
    Map<String, URI> servers, Set<String> secrets, boolean configured, boolean addressesReplaced) {
  /** No config known: deny by default. */
  public static final AnalysisTrust UNCONFIGURED =
      new AnalysisTrust(Map.of(), Set.of(), false, false);

  /**
   * A backtest run by the operator with {@code --prometheus URL}: every query goes there, so a
   * template's address decides nothing; files and Secrets stay refused.
   */
  public static final AnalysisTrust ADDRESSES_REPLACED =
      new AnalysisTrust(Map.of(), Set.of(), false, true);

  public AnalysisTrust(Map<String, URI> servers, Set<String> secrets, boolean configured) {
    this(servers, secrets, configured, false);
  }

  public static final String DEFAULT_SERVER = "default";

  public AnalysisTrust {
    servers = Map.copyOf(servers);
    secrets = Set.copyOf(secrets);
  }

  /** Why a template may not send queries to {@code address}; empty when it may. */
  Optional<String> addressProblem(URI address) {
    if (addressesReplaced || servers.containsValue(address)) {
      return Optional.empty();
    }
    return Optional.of(
        "refused: "
            + address
            + (configured
                ? " is not a Prometheus server named in Ordinal's config (servers: "
                    + String.join(", ", new TreeSet<>(servers.keySet()))
                    + ")"
                : " cannot be checked without Ordinal's config (ordinal validate --config FILE)")
            + "; an AnalysisTemplate from Git may only query servers the operator lists under"
            + " prometheus: in the config: refer to one with server: NAME, or omit address to use"
            + " the default one");
  }

  /** Why a template may not name server {@code name}; empty when it may. */
  Optional<String> serverProblem(String name) {
    if (!configured || servers.containsKey(name)) {
      return Optional.empty();
    }
    return Optional.of(
        "no Prometheus server '"
            + name
            + "' in Ordinal's config (servers: "
            + String.join(", ", new TreeSet<>(servers.keySet()))
            + "); the operator adds it under prometheus: in the config");
  }

  /** Why a template that names no server and no address cannot run; empty when it can. */
  Optional<String> defaultProblem() {
    if (!configured || addressesReplaced || servers.containsKey(DEFAULT_SERVER)) {
      return Optional.empty();
    }
    return Optional.of(
        "names no server and Ordinal's config has no prometheus."
            + DEFAULT_SERVER
            + "; set server: NAME, or the operator adds a default server to the config");
  }

  /** Why a template may not read Secret {@code name}; empty when it may. */
  Optional<String> secretProblem(String name) {
    if (secrets.contains(name)) {
      return Optional.empty();
    }
    return Optional.of(
        "refused: Secret '"
            + name
            + "' is not one Ordinal's config lets analysis templates read (analysisSecrets: "
            + String.join(", ", new TreeSet<>(secrets))
            + "); the operator adds it there, or better, puts the credential on a Prometheus"
            + " server in the config (prometheus.NAME.bearerTokenSecret)");
  }
}
