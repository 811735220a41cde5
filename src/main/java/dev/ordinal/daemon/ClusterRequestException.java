package dev.ordinal.daemon;

/**
 * A request to the cluster failed: the API server refused it or could not be reached. Ports throw
 * this instead of their client's exception, so the daemon decides on data (a conflict or not)
 * without knowing which client is behind the port.
 */
public final class ClusterRequestException extends RuntimeException {
  private final int code;

  /**
   * @param code the HTTP status of the API server's answer, 0 when there was none
   */
  public ClusterRequestException(String message, int code, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The HTTP status of the API server's answer, 0 when there was none. */
  public int code() {
    return code;
  }

  /** 409: the object changed since it was read; read again and decide again. */
  public boolean conflict() {
    return code == 409;
  }
}
