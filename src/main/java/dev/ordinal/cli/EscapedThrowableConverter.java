package dev.ordinal.cli;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import dev.ordinal.manifest.Escapes;
import java.util.Arrays;

/**
 * A logged exception's stack trace with control characters in its messages written out, as {@link
 * EscapedMessageConverter} writes the log message: an exception's message often quotes a server's
 * answer or a file, and a line break in it would start a line of its own. The trace's own lines
 * stay as they are. {@code %safeEx} in Ordinal's {@code logback.xml}.
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {
  @Override
  protected String throwableProxyToString(IThrowableProxy proxy) {
    return super.throwableProxyToString(new Escaped(proxy));
  }

  /** The exception as logback sees it, with its messages (and its causes') escaped. */
  private record Escaped(IThrowableProxy inner) implements IThrowableProxy {
    @Override
    public String getMessage() {
      return inner.getMessage() == null ? null : Escapes.controls(inner.getMessage());
    }

    @Override
    public String getOverridingMessage() {
      String message = inner.getOverridingMessage();
      return message == null ? null : Escapes.controls(message);
    }

    @Override
    public String getClassName() {
      return inner.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return inner.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return inner.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      return inner.getCause() == null ? null : new Escaped(inner.getCause());
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      IThrowableProxy[] suppressed = inner.getSuppressed();
      return suppressed == null
          ? null
          : Arrays.stream(suppressed).map(Escaped::new).toArray(IThrowableProxy[]::new);
    }

    @Override
    public boolean isCyclic() {
      return inner.isCyclic();
    }
  }
}
