package dev.ordinal.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.Namespaced;
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
import java.util.zip.GZIPInputStream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Reads (lists and GETs of fabric8's model kinds) for one-shot commands over the JDK's own HTTP
 * client ({@link HttpURLConnection}), with the kubeconfig's TLS material and token. fabric8's
 * client starts Vert.x and Netty (about 1,500 classes and an event loop) before its first request:
 * for {@code ordinal diff} of 100 StatefulSets, which sends one LIST, that was an eighth of the
 * whole run (CliDiffBench: 0.94 s and 1.46 CPU-s before, 0.82 s and 1.26 CPU-s after). The objects
 * are bound by the loader's mapper, whose deserializers the manifests' load has just built.
 *
 * <p>Only a kubeconfig this class serves as the client would gets one: a server URL, its CA (read
 * by fabric8's own {@link SSLUtils}) or {@code insecure-skip-tls-verify} (which, as in kubectl,
 * skips the host name check too), a client certificate, and a bearer token, the kubeconfig's or its
 * exec plugin's. One that asks for more (a proxy, impersonation, an auth provider or token
 * provider, a user name and password, extra headers, a TLS server name) gets none from {@link #of},
 * and its reads go through the client. A read the client may do better ({@link #clientMayDoBetter})
 * is the caller's to ask of it again ({@link ListedKinds}, {@link KubeCluster}).
 */
final class DirectReads {
  /** What the API server's audit log and metrics see these reads as. */
  static final String USER_AGENT = "ordinal (one-shot read)";

  /** A list page as the server sends it; kind and apiVersion are left out. */
  record Page<T>(ListMeta metadata, List<T> items) {}

  private final Config config;
  private final String server;
  private final SSLSocketFactory tls;
  private final boolean anyHost;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  private final ObjectReader reader;

  private DirectReads(Config config, SSLSocketFactory tls, ObjectReader reader) {
    this.config = config;
    String url = config.getMasterUrl();
    this.server = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.tls = tls;
    // insecure-skip-tls-verify trusts any certificate (fabric8's trust manager) for any host, as in
    // kubectl; fabric8's Vert.x client ignores disableHostnameVerification, and so do these reads.
    this.anyHost = Boolean.TRUE.equals(config.getTrustCerts());
    // fabric8's defaults when unset; 0 is no limit, for HttpURLConnection as for the client
    this.connectTimeoutMillis = timeout(config.getConnectionTimeout());
    this.readTimeoutMillis = timeout(config.getRequestTimeout());
    this.reader = reader;
  }

  /**
   * Direct reads for {@code config}, or null when it asks for what only the client does, or when
   * its TLS material cannot be loaded (then the client says why, as it always has).
   */
  static DirectReads of(Config config, ObjectReader reader) {
    if (!servable(config)) {
      return null;
    }
    try {
      SSLSocketFactory tls =
          config.getMasterUrl().startsWith("https:")
              ? SSLUtils.sslContext(config).getSocketFactory()
              : null;
      return new DirectReads(config, tls, reader);
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Whether a read that failed so is worth asking of fabric8's client: a token the server refused
   * (401), which the client renews (an exec plugin's), and what the client tries twice (a 429 or a
   * 5xx, honouring Retry-After, and a failure to connect or read).
   */
  static boolean clientMayDoBetter(KubernetesClientException failure) {
    int code = failure.getCode();
    return code == 401
        || code == 429
        || code >= 500
        || (code <= 0 && failure.getCause() instanceof IOException);
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
    StringBuilder url = new StringBuilder(kindUrl(type, namespace));
    url.append("?limit=").append(limit);
    if (continueToken != null && !continueToken.isEmpty()) {
      url.append("&continue=").append(encoded(continueToken));
    }
    JavaType pageType = reader.getTypeFactory().constructParametricType(Page.class, type);
    return get(url.toString(), pageType);
  }

  /**
   * The object of {@code type} named {@code name} in {@code namespace} (ignored for a kind that is
   * not namespaced), or null when there is none (404); other refusals are thrown as by {@link
   * #list}.
   */
  <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
    String url = kindUrl(type, namespace) + "/" + encoded(name);
    try {
      return get(url, reader.getTypeFactory().constructType(type));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  /**
   * The path of a kind's objects. A kind that is not namespaced is addressed without the namespace,
   * whatever the caller names, as fabric8's client addresses it.
   */
  private String kindUrl(Class<? extends HasMetadata> type, String namespace) {
    String group = HasMetadata.getGroup(type);
    StringBuilder url = new StringBuilder(server);
    url.append(group.isEmpty() ? "/api/" : "/apis/" + group + "/")
        .append(HasMetadata.getVersion(type));
    if (namespace != null && Namespaced.class.isAssignableFrom(type)) {
      url.append("/namespaces/").append(encoded(namespace));
    }
    return url.append('/').append(HasMetadata.getPlural(type)).toString();
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
    // The API server compresses a large answer when asked, as client-go asks: a page of 500
    // StatefulSets shrinks from 2.5 MB to 110 KB. The JDK inflates in native code, while TLS
    // decrypts each byte it carries in Java, which C1 alone compiles without the JDK's crypto
    // intrinsics: reading a page took 70 ms instead of 100 (diff of 1,000, in interleaved runs:
    // 1.30 against 1.33 s). An answer that does not inflate is a failed read (clientMayDoBetter).
    connection.setRequestProperty("Accept-Encoding", "gzip");
    connection.setRequestProperty("User-Agent", USER_AGENT);
    // Read at each request: the client writes a renewed token into the same Config (after a 401).
    String token =
        blank(config.getOauthToken()) ? config.getAutoOAuthToken() : config.getOauthToken();
    if (!blank(token)) {
      connection.setRequestProperty("Authorization", "Bearer " + token);
    }
    try {
      int code = connection.getResponseCode();
      if (code / 100 != 2) {
        throw refused(url, code, connection);
      }
      try (InputStream body = connection.getInputStream();
          InputStream in = decoded(connection, body)) {
        return reader.forType(type).readValue(in);
      }
    } catch (JsonProcessingException e) {
      // not a failure to reach the server: what it sent is not what the model reads
      throw new KubernetesClientException(
          "cannot read the answer to GET " + url + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new KubernetesClientException("GET " + url + " failed: " + e.getMessage(), e);
    }
  }

  /** The server's refusal, with its Status where it sent one. */
  private KubernetesClientException refused(String url, int code, HttpURLConnection connection) {
    Status status = null;
    try (InputStream body = connection.getErrorStream();
        InputStream in = body == null ? null : decoded(connection, body)) {
      if (in != null) {
        status = reader.forType(Status.class).readValue(in);
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

  /** {@code body} as the server meant it: inflated when it came compressed. */
  private static InputStream decoded(HttpURLConnection connection, InputStream body)
      throws IOException {
    return "gzip".equalsIgnoreCase(connection.getContentEncoding())
        ? new GZIPInputStream(body, 64 * 1024)
        : body;
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

  private static int timeout(Integer millis) {
    return millis == null ? 10_000 : Math.max(0, millis);
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
