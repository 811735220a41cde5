package dev.ordinal.git;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceivePack;

/**
 * Serves one repository over smart HTTP on an ephemeral loopback port at {@code /repo.git}, with
 * JGit's {@link GitServlet} in Jetty, optionally behind HTTP Basic authentication. Pushes are
 * accepted (receive-pack), as a forge accepts them from a user allowed to write.
 */
public final class GitHttpServer implements AutoCloseable {
  private final Server server;
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger unauthorized = new AtomicInteger();

  /** Ref advertisements served ({@code GET .../info/refs}): one per fetch or ls-remote. */
  final AtomicInteger advertisements = new AtomicInteger();

  /**
   * When set, every request that passed authentication is answered 302 to this base URL plus the
   * request's path and query, as a moved repository or a hostile server would.
   */
  volatile String redirectTo;

  /** When true, redirects are sent before authentication is asked for. */
  volatile boolean redirectBeforeAuth;

  private GitHttpServer(Server server) {
    this.server = server;
  }

  public static GitHttpServer start(Repository repo) throws Exception {
    return start(repo, null, null);
  }

  /** With {@code user} non-null, every request needs Basic {@code user:token}. */
  public static GitHttpServer start(Repository repo, String user, String token) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

    GitServlet git = new GitServlet();
    git.setRepositoryResolver(
        (HttpServletRequest req, String name) -> {
          if (!name.equals("repo.git")) {
            throw new RepositoryNotFoundException(name);
          }
          repo.incrementOpen();
          return repo;
        });
    git.setReceivePackFactory((HttpServletRequest req, Repository db) -> new ReceivePack(db));
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(git), "/*");
    GitHttpServer result = new GitHttpServer(server);
    String expected =
        user == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
    Filter filter =
        (request, response, chain) -> {
          result.requests.incrementAndGet();
          HttpServletRequest http = (HttpServletRequest) request;
          if (http.getRequestURI().endsWith("/info/refs")) {
            result.advertisements.incrementAndGet();
          }
          if (result.redirectTo != null && result.redirectBeforeAuth) {
            result.redirect(http, (HttpServletResponse) response);
            return;
          }
          if (expected != null && !expected.equals(http.getHeader("Authorization"))) {
            result.unauthorized.incrementAndGet();
            HttpServletResponse out = (HttpServletResponse) response;
            out.setHeader("WWW-Authenticate", "Basic realm=\"git\"");
            out.sendError(401);
            return;
          }
          if (result.redirectTo != null) {
            result.redirect(http, (HttpServletResponse) response);
            return;
          }
          chain.doFilter(request, response);
        };
    context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
    return result;
  }

  private void redirect(HttpServletRequest request, HttpServletResponse response) {
    String query = request.getQueryString();
    response.setStatus(302);
    response.setHeader(
        "Location", redirectTo + request.getRequestURI() + (query == null ? "" : "?" + query));
  }

  public String url() {
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    return "http://127.0.0.1:" + port + "/repo.git";
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
