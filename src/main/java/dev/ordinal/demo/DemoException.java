package dev.ordinal.demo;

/** The demo could not start, or its story did not end as scripted; the message says what to do. */
public final class DemoException extends Exception {
  private final boolean startup;

  private DemoException(String message, boolean startup, Throwable cause) {
    super(message, cause);
    this.startup = startup;
  }

  /** The story did not end as scripted. */
  static DemoException story(String message) {
    return new DemoException(message, false, null);
  }

  /** The demo could not start (a busy listen address, no temporary folder). */
  static DemoException startup(String message, Throwable cause) {
    return new DemoException(message, true, cause);
  }

  /** Whether the demo failed before its story began. */
  public boolean atStartup() {
    return startup;
  }
}
