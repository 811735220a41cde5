package dev.ordinal.shard;

import java.util.Objects;

/**
 * A Lease as the shard loop reads it.
 *
 * @param holder who holds it; empty when released
 * @param version the resourceVersion: every renewal changes it, so a version that stays the same
 *     for a lease duration means its holder is gone
 */
public record LeaseRecord(String name, String holder, String version) {
  public LeaseRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    holder = holder == null ? "" : holder;
  }

  public boolean released() {
    return holder.isEmpty();
  }
}
