package dev.ordinal.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on loopback that keeps every body it accepted, answers 500 to the first {@code
 * failFirst} requests, and counts every request.
 */
final class Receiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  final List<String> bodies = new CopyOnWriteArrayList<>();
  final AtomicInteger requests = new AtomicInteger();

  private volatile CountDownLatch holding = new CountDownLatch(0);
  private final HttpServer server;

  Receiver(int failFirst) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/hooks/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          int n = requests.incrementAndGet();
          try {
            holding.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          int code = n <= failFirst ? 500 : 200;
          if (code == 200) {
            bodies.add(body);
          }
          exchange.sendResponseHeaders(code, -1);
          exchange.close();
        });
    server.start();
  }

  /** Makes every request wait until {@link #release}. */
  void hang() {
    holding = new CountDownLatch(1);
  }

  void release() {
    holding.countDown();
  }

  /** The URL with a path that stands for a Slack-style secret token. */
  URI url(String token) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/" + token);
  }

  /** A JSON field of every accepted body, in order. */
  List<String> field(String name) {
    return bodies.stream().map(b -> parse(b).path(name).asText()).toList();
  }

  static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
  }
}
