package dev.ordinal.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * A hash of everything a plan depends on in a live object: the object without status and server
 * bookkeeping, plus the fields Ordinal's applier owns (removal detection reads them). Two live
 * objects with equal fingerprints plan alike against the same desired object, so a watch cache can
 * keep this hash instead of the object, and the plan memo can be keyed by it: a status write by a
 * controller changes the resourceVersion, not the fingerprint.
 */
public final class LiveFingerprint {
  private LiveFingerprint() {}

  /** The fingerprint of a live object (typed or generic; both give the same hash). */
  public static String of(HasMetadata live) {
    ObjectNode tree = Normaliser.live(live, false);
    MessageDigest digest = sha256();
    update(digest, tree);
    List<ManagedFieldsEntry> managed =
        live.getMetadata() == null ? null : live.getMetadata().getManagedFields();
    if (managed != null) {
      for (ManagedFieldsEntry entry : managed) {
        if (PlanOptions.DEFAULT_FIELD_MANAGER.equals(entry.getManager())
            && "Apply".equals(entry.getOperation())
            && entry.getFieldsV1() != null) {
          digest.update((byte) 0x1e);
          update(digest, TreeGenerator.valueToTree(Normaliser.MAPPER, entry.getFieldsV1()));
        }
      }
    }
    return HexFormat.of().formatHex(digest.digest(), 0, 16);
  }

  /** Feeds a tree in canonical order (object fields sorted), so field order never matters. */
  private static void update(MessageDigest digest, JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      names.sort(null);
      digest.update((byte) '{');
      for (String name : names) {
        JsonNode value = node.get(name);
        // A typed model and a generic one differ only in how they spell "nothing here".
        if (value.isNull() || (value.isContainerNode() && value.isEmpty())) {
          continue;
        }
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
        update(digest, value);
        digest.update((byte) ',');
      }
      digest.update((byte) '}');
    } else if (node.isArray()) {
      digest.update((byte) '[');
      for (JsonNode item : node) {
        update(digest, item);
        digest.update((byte) ',');
      }
      digest.update((byte) ']');
    } else {
      digest.update(node.isTextual() ? (byte) 's' : (byte) 'v');
      digest.update(node.asText().getBytes(StandardCharsets.UTF_8));
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
