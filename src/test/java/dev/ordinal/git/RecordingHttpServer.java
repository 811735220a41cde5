package dev.ordinal.git;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A server on another loopback host that records every request's path and Authorization header, and
 * answers 401 with a Basic challenge, the bait a credential-stealing host would use.
 */
final class RecordingHttpServer implements AutoCloseable {
  /** One request as seen: its path and Authorization header ("" when none was sent). */
  record Seen(String path, String authorization) {}

  private final Server server;
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  private RecordingHttpServer(Server server) {
    this.server = server;
  }

  static RecordingHttpServer start(String host) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(0);
    server.addConnector(connector);
    RecordingHttpServer result = new RecordingHttpServer(server);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            String auth = request.getHeaders().get("Authorization");
            result.seen.add(new Seen(Request.getPathInContext(request), auth == null ? "" : auth));
            response.setStatus(401);
            response.getHeaders().put("WWW-Authenticate", "Basic realm=\"git\"");
            response.write(true, null, callback);
            return true;
          }
        });
    server.start();
    return result;
  }

  String baseUrl() {
    ServerConnector connector = (ServerConnector) server.getConnectors()[0];
    return "http://" + connector.getHost() + ":" + connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
