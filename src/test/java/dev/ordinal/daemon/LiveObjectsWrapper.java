package dev.ordinal.daemon;

/** A cluster port that passes everything through; tests override what they watch or hold up. */
class LiveObjectsWrapper extends ForwardingLiveObjects {
  LiveObjectsWrapper(LiveObjects cluster) {
    super(cluster);
  }
}
