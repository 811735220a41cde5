package dev.ordinal.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.RemoteSession2;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/** SSH sessions whose remote processes' output counts against the fetch's byte limit. */
final class GuardedSshSessions extends SshSessionFactory {
  private final SshSessionFactory delegate;
  private final FetchGuard guard;

  GuardedSshSessions(SshSessionFactory delegate, FetchGuard guard) {
    this.delegate = delegate;
    this.guard = guard;
  }

  @Override
  public RemoteSession getSession(
      URIish uri, CredentialsProvider credentialsProvider, FS fs, int timeout)
      throws TransportException {
    return new Session(delegate.getSession(uri, credentialsProvider, fs, timeout));
  }

  @Override
  public String getType() {
    return delegate.getType();
  }

  @Override
  public void releaseSession(RemoteSession session) {
    delegate.releaseSession(session instanceof Session s ? s.delegate : session);
  }

  private final class Session implements RemoteSession2 {
    private final RemoteSession delegate;

    Session(RemoteSession delegate) {
      this.delegate = delegate;
    }

    @Override
    public Process exec(String command, int timeout) throws IOException {
      return new Counted(delegate.exec(command, timeout));
    }

    @Override
    public Process exec(String command, Map<String, String> environment, int timeout)
        throws IOException {
      Process process =
          delegate instanceof RemoteSession2 two
              ? two.exec(command, environment, timeout)
              : delegate.exec(command, timeout);
      return new Counted(process);
    }

    @Override
    public void disconnect() {
      delegate.disconnect();
    }
  }

  private final class Counted extends Process {
    private final Process delegate;
    private final InputStream in;

    Counted(Process delegate) {
      this.delegate = delegate;
      this.in = guard.count(delegate.getInputStream());
    }

    @Override
    public OutputStream getOutputStream() {
      return delegate.getOutputStream();
    }

    @Override
    public InputStream getInputStream() {
      return in;
    }

    @Override
    public InputStream getErrorStream() {
      return delegate.getErrorStream();
    }

    @Override
    public int waitFor() throws InterruptedException {
      return delegate.waitFor();
    }

    @Override
    public int exitValue() {
      return delegate.exitValue();
    }

    @Override
    public void destroy() {
      delegate.destroy();
    }
  }
}
