package dev.ordinal.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One String for each apiVersion, kind and namespace that objects share, instead of one per object
 * in each of the loader's objects and the informers' slim copies. It saves their room, and the keys
 * the loader and the planner make for every object hash a String that all objects share.
 */
public final class SharedStrings {

  private static final Map<String, String> KNOWN = new ConcurrentHashMap<>();

  // Objects from Git and from the cluster come here before anything validates them: at most this
  // many are kept, each no longer than a DNS subdomain and a version, and past that a value is
  // still right, only not shared.
  private static final int MAX_REMEMBERED = 4096;
  private static final int MAX_REMEMBERED_LENGTH = 253 + 1 + 63;

  /**
   * Whether a memo of Strings from unvalidated input, now holding {@code held} values, may keep
   * {@code value} too (this class's bounds; {@link ApiVersions} keeps its groups by them).
   */
  static boolean mayKeep(int held, String value) {
    return held < MAX_REMEMBERED && value.length() <= MAX_REMEMBERED_LENGTH;
  }

  private SharedStrings() {}

  /** The shared String equal to {@code value}; {@code value} itself when none is kept. */
  public static String of(String value) {
    if (value == null) {
      return null;
    }
    String known = KNOWN.get(value);
    if (known != null) {
      return known;
    }
    if (mayKeep(KNOWN.size(), value)) {
      known = KNOWN.putIfAbsent(value, value);
      return known == null ? value : known;
    }
    return value;
  }

  /** Gives {@code object}'s apiVersion, kind and namespace their shared Strings, in place. */
  public static <T extends HasMetadata> T share(T object) {
    object.setApiVersion(of(object.getApiVersion()));
    String kind = object.getKind();
    String sharedKind = of(kind);
    if (sharedKind != kind) {
      // HasMetadata has no setter for the kind; every model class has one, as Jackson sets it.
      for (ModelProperties.Property property : ModelProperties.of(object.getClass()).all()) {
        if (property.name().equals("kind")) {
          property.write(object, sharedKind);
        }
      }
    }
    if (object.getMetadata() != null) {
      object.getMetadata().setNamespace(of(object.getMetadata().getNamespace()));
    }
    return object;
  }
}
