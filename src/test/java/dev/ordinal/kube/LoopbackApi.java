package dev.ordinal.kube;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * The JDK's own HTTP server on 127.0.0.1, answering as an API server would where the real one
 * cannot be made to (a 5xx on demand, a body that does not inflate): for the direct reads' unit
 * tests.
 */
final class LoopbackApi {
  private LoopbackApi() {}

  /** How an answer's body is sent. */
  enum Body {
    PLAIN,
    COMPRESSED,
    /** Labelled gzip, sent plain: a body that does not inflate. */
    LABELLED_GZIP
  }

  /** A started server whose {@code path} (and what lies under it) {@code handler} answers. */
  static HttpServer start(String path, HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(path, handler);
    server.start();
    return server;
  }

  /** The URL a client names the server by. */
  static String url(HttpServer server) {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers {@code code} with {@code json}, sent as {@code how} says. */
  static void answer(HttpExchange exchange, int code, String json, Body how) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    if (how == Body.COMPRESSED) {
      ByteArrayOutputStream zipped = new ByteArrayOutputStream();
      try (OutputStream gzip = new GZIPOutputStream(zipped)) {
        gzip.write(body);
      }
      body = zipped.toByteArray();
    }
    if (how != Body.PLAIN) {
      exchange.getResponseHeaders().set("Content-Encoding", "gzip");
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
