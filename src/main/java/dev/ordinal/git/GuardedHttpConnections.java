package dev.ordinal.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.URL;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.eclipse.jgit.transport.http.HttpConnectionFactory2;

/**
 * JGit's HTTP connections with two guards: an {@code Authorization} header is never sent to an
 * origin other than the configured one (JGit keeps the authentication it negotiated when it follows
 * a redirect), and every response body counts against the fetch's byte limit.
 */
final class GuardedHttpConnections implements HttpConnectionFactory2 {
  private final HttpConnectionFactory delegate;
  private final TransportAuth.Origin origin;
  private final FetchGuard guard;

  GuardedHttpConnections(
      HttpConnectionFactory delegate, TransportAuth.Origin origin, FetchGuard guard) {
    this.delegate = delegate;
    this.origin = origin;
    this.guard = guard;
  }

  @Override
  public HttpConnection create(URL url) throws IOException {
    return wrap(delegate.create(url));
  }

  @Override
  public HttpConnection create(URL url, Proxy proxy) throws IOException {
    return wrap(delegate.create(url, proxy));
  }

  @Override
  public GitSession newSession() {
    if (!(delegate instanceof HttpConnectionFactory2 factory2)) {
      return new GitSession() {
        @Override
        public HttpConnection configure(HttpConnection connection, boolean sslVerify) {
          return connection;
        }

        @Override
        public void close() {}
      };
    }
    GitSession session = factory2.newSession();
    return new GitSession() {
      @Override
      public HttpConnection configure(HttpConnection connection, boolean sslVerify)
          throws IOException, GeneralSecurityException {
        HttpConnection configured = session.configure(unwrap(connection), sslVerify);
        return configured instanceof Guarded ? configured : wrap(configured);
      }

      @Override
      public void close() {
        session.close();
      }
    };
  }

  private HttpConnection wrap(HttpConnection connection) {
    TransportAuth.Origin to = TransportAuth.Origin.of(connection.getURL());
    boolean sameOrigin = to.equals(origin);
    if (!sameOrigin) {
      guard.wentTo(to.toString());
    }
    return new Guarded(connection, sameOrigin);
  }

  private static HttpConnection unwrap(HttpConnection connection) {
    return connection instanceof Guarded guarded ? guarded.delegate : connection;
  }

  /** One request: drops credentials bound for another origin, counts what it reads. */
  private final class Guarded implements HttpConnection {
    private final HttpConnection delegate;
    private final boolean sameOrigin;

    Guarded(HttpConnection delegate, boolean sameOrigin) {
      this.delegate = delegate;
      this.sameOrigin = sameOrigin;
    }

    @Override
    public void setRequestProperty(String key, String value) {
      if (!sameOrigin
          && ("Authorization".equalsIgnoreCase(key)
              || "Proxy-Authorization".equalsIgnoreCase(key)
              || "Cookie".equalsIgnoreCase(key))) {
        return;
      }
      delegate.setRequestProperty(key, value);
    }

    @Override
    public InputStream getInputStream() throws IOException {
      return guard.count(delegate.getInputStream());
    }

    @Override
    public int getResponseCode() throws IOException {
      return delegate.getResponseCode();
    }

    @Override
    public URL getURL() {
      return delegate.getURL();
    }

    @Override
    public String getResponseMessage() throws IOException {
      return delegate.getResponseMessage();
    }

    @Override
    public Map<String, List<String>> getHeaderFields() {
      return delegate.getHeaderFields();
    }

    @Override
    public void setRequestMethod(String method) throws ProtocolException {
      delegate.setRequestMethod(method);
    }

    @Override
    public void setUseCaches(boolean usecaches) {
      delegate.setUseCaches(usecaches);
    }

    @Override
    public void setConnectTimeout(int timeout) {
      delegate.setConnectTimeout(timeout);
    }

    @Override
    public void setReadTimeout(int timeout) {
      delegate.setReadTimeout(timeout);
    }

    @Override
    public String getContentType() {
      return delegate.getContentType();
    }

    @Override
    public String getHeaderField(String name) {
      return delegate.getHeaderField(name);
    }

    @Override
    public List<String> getHeaderFields(String name) {
      return delegate.getHeaderFields(name);
    }

    @Override
    public int getContentLength() {
      return delegate.getContentLength();
    }

    @Override
    public void setInstanceFollowRedirects(boolean followRedirects) {
      // JGit handles redirects itself (and must, for these guards to see each hop).
      delegate.setInstanceFollowRedirects(false);
    }

    @Override
    public void setDoOutput(boolean dooutput) {
      delegate.setDoOutput(dooutput);
    }

    @Override
    public void setFixedLengthStreamingMode(int contentLength) {
      delegate.setFixedLengthStreamingMode(contentLength);
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      return delegate.getOutputStream();
    }

    @Override
    public void setChunkedStreamingMode(int chunklen) {
      delegate.setChunkedStreamingMode(chunklen);
    }

    @Override
    public String getRequestMethod() {
      return delegate.getRequestMethod();
    }

    @Override
    public boolean usingProxy() {
      return delegate.usingProxy();
    }

    @Override
    public void connect() throws IOException {
      delegate.connect();
    }

    @Override
    public void configure(KeyManager[] km, TrustManager[] tm, SecureRandom random)
        throws NoSuchAlgorithmException, KeyManagementException {
      delegate.configure(km, tm, random);
    }

    @Override
    public void setHostnameVerifier(HostnameVerifier hostnameverifier)
        throws NoSuchAlgorithmException, KeyManagementException {
      delegate.setHostnameVerifier(hostnameverifier);
    }
  }
}
