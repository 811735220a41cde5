package dev.ordinal.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against the shared real control plane (see {@link ControlPlane}). Test methods
 * and constructors may take a {@link io.fabric8.kubernetes.client.KubernetesClient}, the {@link
 * ControlPlane} itself, or a {@link TestNamespace} — a namespace created for this test method
 * alone.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ControlPlaneExtension.class)
public @interface ControlPlaneTest {}
