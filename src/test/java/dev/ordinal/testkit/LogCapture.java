package dev.ordinal.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what one logger (and its children) logs, formatted, while open. */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level previous;

  public LogCapture(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    previous = logger.getLevel();
    logger.setLevel(Level.INFO);
    appender.start();
    logger.addAppender(appender);
  }

  public LogCapture(Class<?> type) {
    this(type.getName());
  }

  /** Each event as "LEVEL message", with its arguments filled in. */
  public List<String> lines() {
    return List.copyOf(appender.list).stream()
        .map(e -> e.getLevel() + " " + e.getFormattedMessage())
        .toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previous);
  }
}
