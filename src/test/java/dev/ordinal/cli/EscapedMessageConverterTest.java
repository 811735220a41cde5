package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ordinal's own {@code logback.xml} (the daemon's, not the tests'): a message that quotes text with
 * a line break or an escape sequence in it stays one line, written out.
 */
class EscapedMessageConverterTest {
  @Test
  void aQuotedLineBreakOrEscapeSequenceStaysOnItsLine() throws Exception {
    URL config = Path.of("src/main/resources/logback.xml").toUri().toURL();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(config);
      Logger log = context.getLogger("dev.ordinal.daemon.Promotions");
      log.info(
          "promotion={} detail=\"{}\"",
          "p",
          "the rollout is Degraded\n2026-12-04T00:00:00.000Z INFO  Forged line \u001b[2J");
      log.warn("plain {}", "text");
      log.error(
          "failed",
          new IllegalStateException(
              "server said: no\n2026-12-04T00:00:00.000Z INFO  Forged",
              new RuntimeException("a\rb")));
    } finally {
      context.stop();
      System.setErr(stderr);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    assertTrue(lines.size() > 4, lines.toString());
    assertTrue(lines.get(2).endsWith(" ERROR Promotions failed"), lines.get(2));
    assertEquals(
        "java.lang.IllegalStateException: server said: no\\n2026-12-04T00:00:00.000Z INFO  Forged",
        lines.get(3));
    assertTrue(
        lines.stream().anyMatch(l -> l.equals("Caused by: java.lang.RuntimeException: a\\rb")),
        lines.toString());
    assertTrue(
        lines.stream().skip(3).allMatch(l -> !l.contains("INFO") || l.contains("\\n")),
        "no forged line: " + lines);
    assertTrue(
        lines
            .get(0)
            .endsWith(
                " INFO  Promotions promotion=p detail=\"the rollout is Degraded\\n"
                    + "2026-12-04T00:00:00.000Z INFO  Forged line \\x1b[2J\""),
        lines.get(0));
    assertTrue(lines.get(1).endsWith(" WARN  Promotions plain text"), lines.get(1));
  }
}
