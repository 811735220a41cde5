package dev.ordinal.shard;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Which shard a piece of work belongs to: an app by its name, a StatefulSet by {@code
 * namespace/name}. Every replica computes the same answer, with no coordination.
 */
public final class ShardOf {
  private ShardOf() {}

  /** The shard of {@code key} among {@code shards}; always 0 for one shard. */
  public static int key(String key, int shards) {
    if (shards <= 1) {
      return 0;
    }
    // CRC32 rather than String.hashCode: names that differ in their last character (db-1, db-2)
    // should not land on neighbouring shards in lockstep.
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % shards);
  }
}
