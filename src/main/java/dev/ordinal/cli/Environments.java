package dev.ordinal.cli;

import dev.ordinal.manifest.LoadResult;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The folders of a tree that define the same objects, as the environments of one app do
 * (envs/staging and envs/prod): each is meant to be loaded on its own.
 */
final class Environments {
  private Environments() {}

  /**
   * For each object defined twice in different folders, the two folders just below the deepest
   * folder the two files share; duplicates within one folder are plain mistakes and give none.
   */
  static SortedSet<String> of(List<LoadResult.Duplicate> duplicates) {
    SortedSet<String> roots = new TreeSet<>();
    for (LoadResult.Duplicate duplicate : duplicates) {
      String[] first = folders(duplicate.first().file());
      String[] again = folders(duplicate.again().file());
      int shared = 0;
      while (shared < first.length
          && shared < again.length
          && first[shared].equals(again[shared])) {
        shared++;
      }
      if (shared < first.length && shared < again.length) {
        roots.add(join(first, shared + 1));
        roots.add(join(again, shared + 1));
      }
    }
    return roots;
  }

  /** The folders of a tree-relative file path, outermost first. */
  private static String[] folders(String file) {
    int slash = file.lastIndexOf('/');
    return slash < 0 ? new String[0] : file.substring(0, slash).split("/");
  }

  private static String join(String[] parts, int count) {
    return String.join("/", List.of(parts).subList(0, count));
  }
}
