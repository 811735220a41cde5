package dev.ordinal.kube;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Lists for one-shot commands over the JDK's own HTTP client ({@link HttpURLConnection}), with the
 * kubeconfig's TLS material and token. fabric8's client starts Vert.x and Netty (about 1,500
 * classes and an event loop) before its first request: for {@code ordinal diff} of 100
 * StatefulSets, which sends one LIST, that was a tenth of the whole run (CliDiffBench: 0.94 s and
 * 1.46 CPU-s before, 0.82 s and 1.26 CPU-s after). The objects are bound by the loader's mapper,
 * whose deserializers the manifests' load has just built.
 *
 * <p>Only a kubeconfig this class serves as the client would gets one: a server URL, its CA (read
 * by fabric8's own {@link SSLUtils}) or {@code insecure-skip-tls-verify} (which, as in kubectl,
 * skips the host name check too), a client certificate, and a bearer token, the kubeconfig's or its
 * exec plugin's. One that asks for more (a proxy, impersonation, an auth provider or token
 * provider, a user name and password, extra headers, a TLS server name) gets none from {@link #of},
 * and its reads go through the client. A token the server refuses (401) is the caller's to ask of
 * the client, which runs the exec plugin again ({@link ListedKinds}).
 */
final class DirectReads {
  /** What the API server's audit log and metrics see these reads as. */
  static final String USER_AGENT = "ordinal (one-shot read)";

  /** A list page as the server sends it; kind and apiVersion are left out. */
  record Page<T>(ListMeta metadata, List<T> items) {}

  private final String server;
  private final SSLSocketFactory tls;
  private final boolean anyHost;
  private final String bearer;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  private final ObjectMapper mapper;

  private DirectReads(Config config, SSLSocketFactory tls, ObjectMapper mapper) {
    String url = config.getMasterUrl();
    this.server = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.tls = tls;
    this.anyHost =
        Boolean.TRUE.equals(config.getTrustCerts())
            || Boolean.TRUE.equals(config.getDisableHostnameVerification());
    // An explicit token wins, as in the client; a kubeconfig's (or its exec plugin's) is the other.
    String token =
        blank(config.getOauthToken()) ? config.getAutoOAuthToken() : config.getOauthToken();
    this.bearer = blank(token) ? null : "Bearer " + token;
    this.connectTimeoutMillis = positiveOr(config.getConnectionTimeout(), 10_000);
    this.readTimeoutMillis = positiveOr(config.getRequestTimeout(), 10_000);
    this.mapper = mapper;
  }

  /**
   * Direct reads for {@code config}, or null when it asks for what only the client does, or when
   * its TLS material cannot be loaded (then the client says why, as it always has).
   */
  static DirectReads of(Config config, ObjectMapper mapper) {
    if (!servable(config)) {
      return null;
    }
    try {
      SSLSocketFactory tls =
          config.getMasterUrl().startsWith("https:")
              ? SSLUtils.sslContext(config).getSocketFactory()
              : null;
      return new DirectReads(config, tls, mapper);
    } catch (Exception e) {
      return null;
    }
  }

  /** Whether the client would send a request for {@code config} as this class does. */
  static boolean servable(Config config) {
    String url = config.getMasterUrl();
    return url != null
        && (url.startsWith("https://") || url.startsWith("http://"))
        && blank(config.getHttpsProxy())
        && blank(config.getHttpProxy())
        && blank(config.getImpersonateUsername())
        && empty(config.getImpersonateGroups())
        && empty(config.getImpersonateExtras())
        && config.getAuthProvider() == null
        && config.getOauthTokenProvider() == null
        && blank(config.getUsername())
        && blank(config.getPassword())
        && empty(config.getCustomHeaders())
        && blank(config.getTlsServerName());
  }

  /**
   * One page of the objects of {@code type} in {@code namespace} (null: of a cluster-scoped kind),
   * at most {@code limit}, after {@code continueToken} (null: the first page). A refusal by the
   * server is thrown as the client throws it, with the server's status code.
   */
  <T extends HasMetadata> Page<T> list(
      Class<T> type, String namespace, long limit, String continueToken) {
    String group = HasMetadata.getGroup(type);
    StringBuilder path = new StringBuilder(server);
    path.append(group.isEmpty() ? "/api/" : "/apis/" + group + "/")
        .append(HasMetadata.getVersion(type));
    if (namespace != null) {
      path.append("/namespaces/").append(encoded(namespace));
    }
    path.append('/').append(HasMetadata.getPlural(type)).append("?limit=").append(limit);
    if (continueToken != null && !continueToken.isEmpty()) {
      path.append("&continue=").append(encoded(continueToken));
    }
    JavaType pageType = mapper.getTypeFactory().constructParametricType(Page.class, type);
    return get(path.toString(), pageType);
  }

  private <T> T get(String url, JavaType type) {
    HttpURLConnection connection;
    try {
      // Proxy.NO_PROXY: a proxy is the client's to use (servable), not the JVM's properties'.
      connection = (HttpURLConnection) URI.create(url).toURL().openConnection(Proxy.NO_PROXY);
    } catch (IOException | IllegalArgumentException e) {
      throw new KubernetesClientException("cannot request " + url + ": " + e.getMessage(), e);
    }
    if (connection instanceof HttpsURLConnection https) {
      https.setSSLSocketFactory(tls);
      if (anyHost) {
        https.setHostnameVerifier((host, session) -> true);
      }
    }
    connection.setConnectTimeout(connectTimeoutMillis);
    connection.setReadTimeout(readTimeoutMillis);
    connection.setRequestProperty("Accept", "application/json");
    connection.setRequestProperty("User-Agent", USER_AGENT);
    if (bearer != null) {
      connection.setRequestProperty("Authorization", bearer);
    }
    try {
      int code = connection.getResponseCode();
      if (code / 100 != 2) {
        throw refused(url, code, connection);
      }
      try (InputStream in = connection.getInputStream()) {
        return mapper.readValue(in, type);
      }
    } catch (IOException e) {
      throw new KubernetesClientException("GET " + url + " failed: " + e.getMessage(), e);
    }
  }

  /** The server's refusal, with its Status where it sent one. */
  private KubernetesClientException refused(String url, int code, HttpURLConnection connection) {
    Status status = null;
    try (InputStream in = connection.getErrorStream()) {
      if (in != null) {
        status = mapper.readValue(in, Status.class);
      }
    } catch (IOException | RuntimeException e) {
      // not a Status: the code alone says what happened
    }
    String message =
        status != null && status.getMessage() != null
            ? status.getMessage()
            : "HTTP " + code + " " + String.valueOf(responseMessage(connection));
    return new KubernetesClientException(
        "GET " + url + " refused (" + code + "): " + message, code, status);
  }

  private static String responseMessage(HttpURLConnection connection) {
    try {
      return connection.getResponseMessage();
    } catch (IOException e) {
      return null;
    }
  }

  private static String encoded(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static int positiveOr(Integer value, int fallback) {
    return value == null || value <= 0 ? fallback : value;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static boolean empty(Object[] values) {
    return values == null || values.length == 0;
  }

  private static boolean empty(Map<?, ?> values) {
    return values == null || values.isEmpty();
  }
}
