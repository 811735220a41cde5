package dev.ordinal.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.ordinal.manifest.Escapes;

/**
 * A log line's message with control characters written out ({@code \n}, {@code \x1b}): what a line
 * quotes from Git, the cluster, a forge or Prometheus can then neither end the line and forge the
 * next one nor send escape sequences to a terminal that shows the log. {@code %safeMsg} in
 * Ordinal's {@code logback.xml}; a stack trace still follows on lines of its own.
 */
public final class EscapedMessageConverter extends MessageConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return Escapes.controls(super.convert(event));
  }
}
