package dev.ordinal.promotion;

/**
 * What a forge call proves its caller with. The secret stays inside: {@code toString} never shows
 * it, and no message is built from it.
 */
public sealed interface ForgeCredential permits ForgeCredential.Token, GitHubAppCredential {

  /** The secret for the next call; a credential that caches one may fetch or renew it here. */
  String secret() throws ForgeException;

  /**
   * After a 401: forgets a cached secret. True when asking again with a fresh one may succeed, so
   * the call is tried once more; a fixed token says false.
   */
  boolean renew();

  /** What a person should check when the forge answers 401 to this credential. */
  String whenRefused();

  /**
   * A fixed secret: a personal, project or app access token read from a file or the environment, or
   * a GitHub App's JWT for the one call that exchanges it.
   *
   * @param whenRefused what to check when the forge answers 401
   */
  record Token(String value, String whenRefused) implements ForgeCredential {
    public Token {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("the forge token is empty");
      }
    }

    /** A token from a file or the environment. */
    public Token(String value) {
      this(value, "the token is missing, expired or revoked; replace the token file");
    }

    @Override
    public String secret() {
      return value;
    }

    @Override
    public boolean renew() {
      return false;
    }

    @Override
    public String toString() {
      return "Token[***]";
    }
  }
}
