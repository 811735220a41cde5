package dev.ordinal.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Logging for the command line: only {@code run} and commands given {@code -v} log. Kept apart from
 * {@link Main} so that a command which logs nothing never loads Logback.
 */
final class Logging {
  /** SLF4J's own provider that drops every event, named by SLF4J's {@code slf4j.provider}. */
  static final String SILENT_PROVIDER = "org.slf4j.helpers.NOP_FallbackServiceProvider";

  private Logging() {}

  /**
   * Before anything logs in a new process: a command that is not {@code run} and has no {@code -v}
   * binds SLF4J to its no-op provider, so Logback is neither loaded nor configured (about 500
   * classes and an XML parse, a tenth of a second or more of every start). A {@code -v} anywhere
   * keeps Logback, even where it was a value rather than the flag: then the command merely logs.
   */
  static void quietUnlessAsked(String... args) {
    if (logs(args) || System.getProperty("slf4j.provider") != null) {
      return;
    }
    System.setProperty("slf4j.provider", SILENT_PROVIDER);
    // SLF4J would say on stderr which provider it was told to use
    System.setProperty("slf4j.internal.verbosity", "WARN");
  }

  /**
   * Whether a process run with {@code args} may log: {@code run}, or {@code -v} anywhere, alone or
   * among other short options ({@code -vh}). A false yes costs only the start-up time saved.
   */
  static boolean logs(String... args) {
    return "run".equals(Main.commandNamed(args))
        || Stream.of(args)
            .anyMatch(a -> a.equals("--verbose") || (a.matches("-[^-].*") && a.indexOf('v') > 0));
  }

  /**
   * Runs {@code command} with every log event denied, for a quiet command run where Logback is
   * already bound (tests run commands in their own JVM); where SLF4J is bound to the no-op provider
   * there is nothing to deny, and no Logback class is touched.
   */
  static int silenced(IntSupplier command) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!factory.getClass().getName().startsWith("ch.qos.logback.")) {
      return command.getAsInt();
    }
    return Logback.silenced((LoggerContext) factory, command);
  }

  /** What needs Logback's own types, loaded only where Logback is bound. */
  private static final class Logback {
    static int silenced(LoggerContext context, IntSupplier command) {
      TurboFilter quiet = new Silence();
      quiet.start();
      context.addTurboFilter(quiet);
      try {
        return command.getAsInt();
      } finally {
        context.getTurboFilterList().remove(quiet);
      }
    }
  }

  /** Denies every log event while it is installed. */
  private static final class Silence extends TurboFilter {
    @Override
    public FilterReply decide(
        Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
      return FilterReply.DENY;
    }
  }
}
