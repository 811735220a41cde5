package dev.ordinal.git;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The byte budget of one fetch, and what the transport guards saw during it. Every byte read from
 * the remote (ref advertisement and pack, over HTTP or SSH) counts; past the limit the read fails,
 * so an oversized pack is never fully downloaded.
 */
final class FetchGuard {
  private final long limit;
  private final AtomicLong received = new AtomicLong();
  private volatile boolean exceeded;
  private volatile String otherOrigin;

  FetchGuard(long limit) {
    this.limit = limit;
  }

  long limit() {
    return limit;
  }

  long received() {
    return received.get();
  }

  /** Whether the fetch was stopped at the limit. */
  boolean exceeded() {
    return exceeded;
  }

  /**
   * The origin other than the configured one that a request went to (after a redirect), or null.
   * Such requests carry no credentials.
   */
  String otherOrigin() {
    return otherOrigin;
  }

  void wentTo(String origin) {
    otherOrigin = origin;
  }

  InputStream count(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          add(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
          add(n);
        }
        return n;
      }

      @Override
      public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        if (skipped > 0) {
          add(skipped);
        }
        return skipped;
      }
    };
  }

  private void add(long n) throws IOException {
    if (received.addAndGet(n) > limit) {
      exceeded = true;
      throw new IOException("fetch exceeds the " + limit + "-byte limit");
    }
  }
}
