package dev.ordinal.analysis.prometheus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Prometheus' HTTP API ({@code /api/v1/query}, {@code /api/v1/query_range}) over the JDK client.
 * Every failure — connection refused, timeout, HTTP status, malformed JSON, {@code status: error},
 * an unexpected result type — becomes a {@link PrometheusException} that names the address and the
 * query. The bearer token is never part of a message or a log line.
 */
public final class PrometheusClient {
  /** Argo Rollouts' default; long enough for heavy queries, short enough to fail a stuck server. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient SHARED =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /**
   * The largest answer read, 8 MiB: about 40,000 series of a vector. A larger one is an error that
   * says to aggregate, instead of a measurement that holds the daemon's memory.
   */
  public static final int DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

  private final URI address;
  private final Duration timeout;
  private final Map<String, String> headers;
  private final Supplier<Optional<String>> bearerToken;
  private final int maxBodyBytes;

  /**
   * @param bearerToken read on every query so a rotated token file is picked up; may throw {@link
   *     java.io.UncheckedIOException} when it cannot be read
   */
  public PrometheusClient(
      URI address,
      Duration timeout,
      Map<String, String> headers,
      Supplier<Optional<String>> bearerToken) {
    this(address, timeout, headers, bearerToken, DEFAULT_MAX_BODY_BYTES);
  }

  PrometheusClient(
      URI address,
      Duration timeout,
      Map<String, String> headers,
      Supplier<Optional<String>> bearerToken,
      int maxBodyBytes) {
    this.address = address;
    this.timeout = timeout;
    this.headers = Map.copyOf(headers);
    this.bearerToken = bearerToken;
    this.maxBodyBytes = maxBodyBytes;
  }

  public URI address() {
    return address;
  }

  /** An instant query evaluated at the server's now. */
  public QueryResult query(String promql) throws PrometheusException {
    return get("/api/v1/query", "query=" + encode(promql), promql);
  }

  /** A range query; the answer is a matrix. */
  public QueryResult.Matrix queryRange(String promql, Instant from, Instant to, Duration step)
      throws PrometheusException {
    String form =
        "query="
            + encode(promql)
            + "&start="
            + seconds(from)
            + "&end="
            + seconds(to)
            + "&step="
            + (step.toMillis() / 1000.0);
    QueryResult result = get("/api/v1/query_range", form, promql);
    if (result instanceof QueryResult.Matrix matrix) {
      return matrix;
    }
    throw new PrometheusException(
        where(promql)
            + ": range query returned "
            + result.getClass().getSimpleName()
            + ", expected a matrix");
  }

  private QueryResult get(String path, String parameters, String promql)
      throws PrometheusException {
    String base = address.toString().replaceAll("/+$", "");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path + "?" + parameters)).timeout(timeout).GET();
    headers.forEach(request::header);
    request.header("Accept", "application/json");
    Optional<String> token;
    try {
      token = bearerToken.get();
    } catch (RuntimeException e) {
      throw new PrometheusException(
          where(promql) + ": cannot read the bearer token: " + e.getMessage(), e);
    }
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t.trim()));
    HttpResponse<String> response;
    try {
      response = SHARED.send(request.build(), info -> new BoundedBody(maxBodyBytes));
    } catch (HttpTimeoutException e) {
      throw new PrometheusException(
          where(promql) + ": no answer within the timeout of " + timeout.toMillis() + " ms", e);
    } catch (IOException e) {
      // the client may hand the body's failure over as it is or wrapped
      if (e instanceof BoundedBody.TooLarge || e.getCause() instanceof BoundedBody.TooLarge) {
        throw new PrometheusException(
            where(promql)
                + ": the answer is larger than "
                + maxBodyBytes
                + " bytes; aggregate the query (e.g. sum by (pod) (...)) or shorten its range",
            e);
      }
      throw new PrometheusException(where(promql) + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PrometheusException(where(promql) + ": interrupted", e);
    }
    return parse(response.statusCode(), response.body(), promql);
  }

  /** Parses a response body; public so tests can feed recorded bodies. */
  QueryResult parse(int status, String body, String promql) throws PrometheusException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new PrometheusException(
          where(promql)
              + ": HTTP "
              + status
              + " with a body that is not JSON: "
              + abbreviate(body));
    }
    if (root == null || !root.isObject()) {
      throw new PrometheusException(
          where(promql)
              + ": HTTP "
              + status
              + " with a body that is not a JSON object: "
              + abbreviate(body));
    }
    if (!"success".equals(root.path("status").asText())) {
      throw new PrometheusException(
          where(promql)
              + ": HTTP "
              + status
              + ", "
              + root.path("errorType").asText("error")
              + ": "
              + root.path("error").asText(abbreviate(body)));
    }
    if (status / 100 != 2) {
      throw new PrometheusException(where(promql) + ": HTTP " + status + ": " + abbreviate(body));
    }
    JsonNode data = root.path("data");
    String type = data.path("resultType").asText();
    JsonNode result = data.path("result");
    try {
      switch (type) {
        case "scalar":
          return new QueryResult.Scalar(time(result.get(0)), value(result.get(1)));
        case "vector":
          {
            List<QueryResult.Sample> samples = new ArrayList<>();
            for (JsonNode sample : result) {
              samples.add(
                  new QueryResult.Sample(
                      labels(sample.path("metric")), value(sample.path("value").get(1))));
            }
            return new QueryResult.Vector(samples);
          }
        case "matrix":
          {
            List<QueryResult.Series> series = new ArrayList<>();
            for (JsonNode entry : result) {
              List<QueryResult.Point> points = new ArrayList<>();
              for (JsonNode point : entry.path("values")) {
                points.add(new QueryResult.Point(time(point.get(0)), value(point.get(1))));
              }
              series.add(new QueryResult.Series(labels(entry.path("metric")), points));
            }
            return new QueryResult.Matrix(series);
          }
        default:
          throw new PrometheusException(
              where(promql)
                  + ": result type '"
                  + type
                  + "' is not supported; the query must return a scalar, a vector or a matrix");
      }
    } catch (NullPointerException | IllegalArgumentException e) {
      throw new PrometheusException(
          where(promql) + ": malformed " + type + " in the answer: " + abbreviate(body), e);
    }
  }

  private static Map<String, String> labels(JsonNode metric) {
    Map<String, String> labels = new LinkedHashMap<>();
    metric.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  private static Instant time(JsonNode node) {
    return Instant.ofEpochMilli(Math.round(node.asDouble() * 1000));
  }

  /** Prometheus writes sample values as strings, including "NaN", "+Inf" and "-Inf". */
  static double value(JsonNode node) {
    String text = node.asText();
    switch (text) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        return Double.parseDouble(text);
    }
  }

  private String where(String promql) {
    return "Prometheus " + shown(address) + ", query '" + promql + "'";
  }

  /**
   * The address as messages name it: without a user or password, which the config and the CLI
   * refuse, but a client made some other way might still carry.
   */
  static String shown(URI address) {
    if (address.getRawUserInfo() == null) {
      return address.toString();
    }
    try {
      return new URI(
              address.getScheme(),
              null,
              address.getHost(),
              address.getPort(),
              address.getPath(),
              address.getQuery(),
              address.getFragment())
          .toString();
    } catch (URISyntaxException e) {
      return address.getScheme() + "://" + address.getHost();
    }
  }

  private static String describe(IOException e) {
    String kind = e.getClass().getSimpleName();
    String message = e.getMessage();
    if (e instanceof ConnectException) {
      return "cannot connect (" + kind + (message == null ? "" : ": " + message) + ")";
    }
    return kind + (message == null ? "" : ": " + message);
  }

  private static String abbreviate(String body) {
    String flat = body.replaceAll("\\s+", " ").trim();
    return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static String seconds(Instant time) {
    return String.valueOf(time.toEpochMilli() / 1000.0);
  }
}
