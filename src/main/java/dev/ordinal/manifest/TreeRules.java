package dev.ordinal.manifest;

import java.util.Locale;

/**
 * What a source tree holds, the same whether it is read from a folder ({@link LocalDirectory}) or
 * from a Git commit (the Git adapter), so that both give one answer for the same files.
 *
 * <ul>
 *   <li>Files named *.yaml, *.yml or *.json (in any case) are manifests.
 *   <li>Directories whose name starts with '.' (.git, .github) are skipped: they hold tooling
 *       configuration, not manifests.
 *   <li>Symlinks are followed, to files and to directories, as long as they stay inside the tree
 *       (the folder read, or the repository); a symlink that leads outside, points to nothing, or
 *       loops is refused, naming it.
 *   <li>Files larger than the size limit are refused.
 * </ul>
 *
 * The messages below are the refusals, identical in both readers; names from the tree are escaped,
 * as a file name may hold a newline or a terminal escape sequence.
 */
public final class TreeRules {

  /** How many symlinks may follow one another before it counts as a loop. */
  public static final int MAX_SYMLINK_HOPS = 8;

  private TreeRules() {}

  public static boolean isManifestName(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    return lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json");
  }

  /** Whether a directory of this name is skipped. */
  public static boolean isHiddenDirectory(String name) {
    return name.startsWith(".");
  }

  public static String outside(String path, String target) {
    return Escapes.controls(path)
        + ": symlink points to '"
        + Escapes.controls(target)
        + "', outside the folder or repository being read; replace it with a copy of what it points to";
  }

  public static String broken(String path, String target) {
    return Escapes.controls(path + ": symlink points to '" + target + "', which does not exist");
  }

  public static String unreadable(String path, String why) {
    return Escapes.controls(path + ": cannot read: " + why);
  }

  public static String chainLoop(String path) {
    return Escapes.controls(path)
        + ": more than "
        + MAX_SYMLINK_HOPS
        + " symlinks in a row (a loop?); link the file directly";
  }

  public static String directoryLoop(String path, String target) {
    return Escapes.controls(path)
        + ": symlink points to '"
        + Escapes.controls(target)
        + "', a folder that contains it (a loop); remove it, or link the files one by one";
  }

  public static String tooLarge(String path, long size, long limit) {
    return Escapes.controls(path)
        + ": file is "
        + size
        + " bytes, over the "
        + limit
        + "-byte limit; split it into smaller files or raise the size limit";
  }
}
