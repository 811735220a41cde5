package dev.ordinal.testkit;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** Starts (once per JVM) the real control plane and gives each test class its own namespace. */
public final class ControlPlaneExtension
    implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(ControlPlaneExtension.class);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  @Override
  public void beforeAll(ExtensionContext context) {
    ControlPlane.shared();
  }

  /** Each test method gets a namespace of its own, so tests never see each other's objects. */
  @Override
  public void beforeEach(ExtensionContext context) {
    String name =
        (context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT)
                + "-"
                + SEQUENCE.incrementAndGet())
            .replaceAll("[^a-z0-9-]", "-");
    if (name.length() > 60) {
      name = name.substring(name.length() - 60).replaceAll("^-+", "");
    }
    // Namespaces are left behind on purpose: without a namespace controller they could never
    // finish terminating, and the whole control plane is discarded with the JVM anyway.
    ControlPlane.shared()
        .client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    context.getStore(STORE).put(TestNamespace.class, new TestNamespace(name));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubernetesClient.class
        || type == ControlPlane.class
        || type == TestNamespace.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == ControlPlane.class) {
      return ControlPlane.shared();
    }
    if (type == KubernetesClient.class) {
      return ControlPlane.shared().client();
    }
    return context.getStore(STORE).get(TestNamespace.class, TestNamespace.class);
  }
}
