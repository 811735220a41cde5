package dev.ordinal.promotion;

import java.util.List;

/**
 * What a promotion carries from the source app to the target app ({@code carry:} in the config).
 */
public sealed interface Carry {
  /** The images of the StatefulSet's containers, by container name ({@link ImageCarry}). */
  record Images() implements Carry {}

  /** The StatefulSet's whole pod template, {@code spec.template} ({@link TemplateCarry}). */
  record Template() implements Carry {}

  /**
   * Named files, each a path relative to the apps' paths, copied byte for byte from the source's
   * path to the target's; whichever StatefulSet of the source app is promoted carries them.
   */
  record Files(List<String> paths) implements Carry {
    public Files {
      paths = List.copyOf(paths);
    }
  }
}
