package dev.ordinal.testkit;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * ServiceAccounts with narrow Roles, and kubeconfigs that act as them with tokens from the
 * TokenRequest API: for tests of what a user or Ordinal may not do (the API server also audits
 * their requests).
 */
public final class ServiceAccountTokens {
  private ServiceAccountTokens() {}

  /** A token of {@code namespace}'s ServiceAccount {@code account}, good for an hour. */
  public static String request(KubernetesClient admin, String namespace, String account) {
    return admin
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(account)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }

  /** Creates ServiceAccount {@code account} in {@code namespace}. */
  public static void createAccount(KubernetesClient admin, String namespace, String account) {
    admin
        .serviceAccounts()
        .inNamespace(namespace)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName(account).endMetadata().build())
        .create();
  }

  /**
   * Allows the ServiceAccount {@code account} of {@code accountNamespace} {@code verbs} on {@code
   * resources} of {@code apiGroups} in {@code namespace}, through a Role and RoleBinding named
   * after the account.
   */
  public static void grant(
      KubernetesClient admin,
      String accountNamespace,
      String account,
      String namespace,
      List<String> apiGroups,
      List<String> resources,
      List<String> verbs) {
    admin
        .rbac()
        .roles()
        .inNamespace(namespace)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName(account)
                .endMetadata()
                .addNewRule()
                .withApiGroups(apiGroups)
                .withResources(resources)
                .withVerbs(verbs)
                .endRule()
                .build())
        .create();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(namespace)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(account)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", account)
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(account)
                .withNamespace(accountNamespace)
                .endSubject()
                .build())
        .create();
  }

  /**
   * A kubeconfig file in {@code dir} for {@code plane}'s API server that presents {@code token}.
   */
  public static Path kubeconfig(ControlPlane plane, String token, Path dir) throws IOException {
    Config admin = Config.fromKubeconfig(plane.kubeconfigYaml());
    String ca =
        admin.getCaCertData() != null
            ? "certificate-authority-data: " + admin.getCaCertData()
            : "certificate-authority: " + admin.getCaCertFile();
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: plane
          cluster:
            server: %s
            %s
        users:
        - name: reader
          user:
            token: %s
        contexts:
        - name: reader
          context: {cluster: plane, user: reader}
        current-context: reader
        """
            .formatted(admin.getMasterUrl(), ca, token);
    return Files.writeString(dir.resolve("kubeconfig-" + token.hashCode() + ".yaml"), yaml);
  }
}
