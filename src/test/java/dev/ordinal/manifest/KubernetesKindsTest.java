package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

class KubernetesKindsTest {
  @Test
  void anArgoAnalysisTemplateIsACustomResourceThatNamesOrdinalsApiVersion() {
    KubernetesKinds.Lookup.Custom argo =
        assertInstanceOf(
            KubernetesKinds.Lookup.Custom.class,
            KubernetesKinds.lookup("argoproj.io/v1alpha1", "AnalysisTemplate"));
    assertEquals(
        "Argo Rollouts' kind, applied to the cluster as it is; Ordinal's analysis reads kind"
            + " AnalysisTemplate of apiVersion ordinal.dev/v1alpha1",
        argo.why());
    KubernetesKinds.Lookup.Custom other =
        assertInstanceOf(
            KubernetesKinds.Lookup.Custom.class,
            KubernetesKinds.lookup("argoproj.io/v1alpha1", "Rollout"));
    assertEquals("not a built-in kind (a custom resource?)", other.why());
  }
}
