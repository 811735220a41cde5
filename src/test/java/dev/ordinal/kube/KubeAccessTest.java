package dev.ordinal.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the CLI looks for a cluster when it is given no kubeconfig, and what it says if none. */
class KubeAccessTest {
  @TempDir Path home;

  @Test
  void noKubeconfigAnywhereAndNoPodSaysWhereItLookedAndWhatToTry() {
    Optional<String> none = KubeAccess.noKubeconfig(null, home, false);
    assertTrue(none.isPresent());
    String message = none.get();
    assertTrue(message.contains("$KUBECONFIG is not set"), message);
    assertTrue(message.contains(home.resolve(".kube/config") + " does not exist"), message);
    assertTrue(message.contains("give --kubeconfig FILE or set KUBECONFIG"), message);
    assertTrue(message.contains("ordinal demo"), message);
  }

  @Test
  void anyOfKubeconfigHomeConfigOrAPodIsEnoughToTry() throws IOException {
    assertEquals(Optional.empty(), KubeAccess.noKubeconfig("/etc/k.yaml", home, false));
    assertEquals(Optional.empty(), KubeAccess.noKubeconfig(null, home, true));
    Files.createDirectories(home.resolve(".kube"));
    Files.writeString(home.resolve(".kube/config"), "apiVersion: v1\nkind: Config\n");
    assertEquals(Optional.empty(), KubeAccess.noKubeconfig(null, home, false));
  }
}
