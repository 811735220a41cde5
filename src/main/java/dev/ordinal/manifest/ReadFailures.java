package dev.ordinal.manifest;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * Why a file could not be read, in words: Java's file exceptions carry only the path in their
 * message ({@code AccessDeniedException: /repo/db.yaml}), which names no reason.
 */
public final class ReadFailures {

  private ReadFailures() {}

  public static String why(Exception e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied; give the user that runs ordinal read access to it, or move it out"
          + " of the path";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof FileSystemLoopException) {
      return "symbolic link loop";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileSystemException fileSystem && fileSystem.getReason() != null) {
      String reason = fileSystem.getReason();
      return reason.isEmpty()
          ? "cannot read it"
          : Character.toLowerCase(reason.charAt(0)) + reason.substring(1).toLowerCase(Locale.ROOT);
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
