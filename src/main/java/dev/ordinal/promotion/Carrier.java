package dev.ordinal.promotion;

import dev.ordinal.git.GitSourceException;
import dev.ordinal.git.GitWorkspace;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The target's change for one promotion: reads the source app at the verified commit and the target
 * app at its branch tip, and leaves the rewriting to the pure carries.
 */
final class Carrier {
  private Carrier() {}

  /** One end of a promotion: an app, the workspace of its repository, and a commit there. */
  record Side(Environment env, GitWorkspace git, ObjectId commit) {}

  /** What the carry came to. */
  sealed interface Carried {
    /**
     * Files to write on the target, by repository path.
     *
     * @param creates whether files missing on the target may be created
     * @param summary lines for the commit message that say what was carried
     */
    record Changes(Map<String, byte[]> files, boolean creates, String summary) implements Carried {}

    /** Nothing to write, and why. */
    record Nothing(String why) implements Carried {}
  }

  static Carried carry(Carry carry, String sts, String commit, Side from, Side to)
      throws GitSourceException {
    // Java 17 has no pattern switch; the interface is sealed, so these are all.
    if (carry instanceof Carry.Files files) {
      return files(files.paths(), commit, from, to);
    }
    return carry instanceof Carry.Template
        ? template(sts, commit, from, to)
        : images(sts, commit, from, to);
  }

  private static Carried images(String sts, String commit, Side from, Side to)
      throws GitSourceException {
    Map<String, String> images = new TreeMap<>();
    for (GitWorkspace.File file : from.git().files(from.commit(), from.env().path())) {
      ImageCarry.images(text(file), sts).ifPresent(images::putAll);
    }
    if (images.isEmpty()) {
      return noSource(sts, commit, from);
    }
    Map<String, String> before = new TreeMap<>();
    Optional<Map<String, byte[]>> changed =
        rewrite(
            to,
            text -> {
              ImageCarry.images(text, sts).ifPresent(before::putAll);
              return ImageCarry.rewrite(text, sts, images);
            });
    return outcome(
        changed,
        sts,
        commit,
        to,
        "images",
        paths -> {
          StringBuilder summary =
              new StringBuilder("Carried: the images of StatefulSet ")
                  .append(sts)
                  .append("\n\nImages:\n");
          before.forEach(
              (container, old) -> {
                String next = images.getOrDefault(container, old);
                summary
                    .append("  ")
                    .append(container)
                    .append(": ")
                    .append(old)
                    .append(next.equals(old) ? " (unchanged)" : " -> " + next)
                    .append('\n');
              });
          return summary.toString();
        });
  }

  private static Carried template(String sts, String commit, Side from, Side to)
      throws GitSourceException {
    String template = null;
    for (GitWorkspace.File file : from.git().files(from.commit(), from.env().path())) {
      template = TemplateCarry.template(text(file), sts).orElse(null);
      if (template != null) {
        break;
      }
    }
    if (template == null) {
      return noSource(sts, commit, from);
    }
    String carried = template;
    Optional<Map<String, byte[]>> changed =
        rewrite(to, text -> TemplateCarry.rewrite(text, sts, carried));
    return outcome(
        changed,
        sts,
        commit,
        to,
        "pod template",
        paths ->
            "Carried: the pod template (spec.template) of StatefulSet "
                + sts
                + ", into "
                + String.join(", ", paths)
                + "; its metadata, replicas, volumeClaimTemplates and every other field stay the"
                + " target's\n");
  }

  /**
   * The changes of a rewrite of the StatefulSet's manifests, or why there are none: the target app
   * has no such StatefulSet, or it already runs {@code what} of the commit.
   */
  private static Carried outcome(
      Optional<Map<String, byte[]>> changed,
      String sts,
      String commit,
      Side to,
      String what,
      Function<Set<String>, String> summary) {
    if (changed.isEmpty()) {
      return new Carried.Nothing(
          "app " + to.env().app() + " has no StatefulSet " + sts + " under " + to.env().path());
    }
    if (changed.get().isEmpty()) {
      return new Carried.Nothing(
          "app "
              + to.env().app()
              + " already runs the "
              + what
              + " of commit "
              + Promoter.shortId(commit));
    }
    return new Carried.Changes(changed.get(), false, summary.apply(changed.get().keySet()));
  }

  private static Carried files(List<String> paths, String commit, Side from, Side to)
      throws GitSourceException {
    Map<String, byte[]> changed = new TreeMap<>();
    StringBuilder summary = new StringBuilder("Carried: files from ");
    summary.append(from.env().path()).append(" to ").append(to.env().path()).append("\n\nFiles:\n");
    for (String path : paths) {
      byte[] content =
          from.git()
              .fileAt(from.commit(), from.env().path(), path)
              .orElseThrow(
                  () ->
                      new GitSourceException(
                          "file "
                              + path
                              + " not found under "
                              + from.env().path()
                              + " at commit "
                              + commit
                              + " in app "
                              + from.env().app()
                              + "; fix promotions[].files or the source"));
      Optional<byte[]> current = to.git().fileAt(to.commit(), to.env().path(), path);
      String state;
      if (current.isPresent() && Arrays.equals(current.get(), content)) {
        state = " (unchanged)";
      } else {
        changed.put(GitWorkspace.repoPath(to.env().path(), path), content);
        state = current.isPresent() ? " (changed)" : " (new)";
      }
      summary.append("  ").append(path).append(state).append('\n');
    }
    if (changed.isEmpty()) {
      return new Carried.Nothing(
          "app "
              + to.env().app()
              + " already holds the files "
              + String.join(", ", paths)
              + " of commit "
              + Promoter.shortId(commit));
    }
    return new Carried.Changes(changed, true, summary.toString());
  }

  /**
   * Rewrites every manifest of the target app that holds the StatefulSet ({@code rewrite} is empty
   * for a file that does not); empty when none does, else the files the rewrite changed.
   */
  private static Optional<Map<String, byte[]>> rewrite(
      Side to, Function<String, Optional<String>> rewrite) throws GitSourceException {
    boolean found = false;
    Map<String, byte[]> changed = new TreeMap<>();
    for (GitWorkspace.File file : to.git().files(to.commit(), to.env().path())) {
      String text = text(file);
      Optional<String> rewritten = rewrite.apply(text);
      if (rewritten.isEmpty()) {
        continue;
      }
      found = true;
      if (!rewritten.get().equals(text)) {
        changed.put(file.path(), rewritten.get().getBytes(StandardCharsets.UTF_8));
      }
    }
    return found ? Optional.of(changed) : Optional.empty();
  }

  private static Carried noSource(String sts, String commit, Side from) {
    return new Carried.Nothing(
        "no StatefulSet "
            + sts
            + " under "
            + from.env().path()
            + " at "
            + commit
            + " in "
            + from.env().app());
  }

  private static String text(GitWorkspace.File file) {
    return new String(file.content(), StandardCharsets.UTF_8);
  }
}
