package dev.ordinal.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TemplateCarryTest {
  private static final String STAGING =
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        replicas: 1
        selector: {matchLabels: {app: db}}
        template:
          # staging's pod
          metadata: {labels: {app: db, tier: data}}
          spec:
            containers:
              - name: db
                image: registry.local/db:2
                args:
                  - |
                    line one
                    line two
                resources: {requests: {memory: 1Gi}}
        volumeClaimTemplates:
          - metadata: {name: data}
            spec: {resources: {requests: {storage: 1Gi}}}
      """;

  /** Prod indents two more spaces and holds two documents; its template sits in the second. */
  private static final String PROD =
      """
      # prod, keep this comment
      apiVersion: v1
      kind: Service
      metadata: {name: db}
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
          name: db
          labels: {env: prod}
      spec:
          replicas: 5   # prod's own
          selector: {matchLabels: {app: db}}
          template:
              metadata: {labels: {app: db}}
              spec:
                  containers:
                      - name: db
                        image: registry.local/db:1

          # claims are prod's
          volumeClaimTemplates:
              - metadata: {name: data}
                spec: {resources: {requests: {storage: 100Gi}}}
      """;

  @Test
  void theTemplateReplacesTheTargetsTemplateOnlyReindentedWithItsComments() {
    String template = TemplateCarry.template(STAGING, "db").orElseThrow();
    assertTrue(template.startsWith("# staging's pod\nmetadata: {labels"), template);
    String rewritten = TemplateCarry.rewrite(PROD, "db", template).orElseThrow();
    assertEquals(
        """
        # prod, keep this comment
        apiVersion: v1
        kind: Service
        metadata: {name: db}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
            name: db
            labels: {env: prod}
        spec:
            replicas: 5   # prod's own
            selector: {matchLabels: {app: db}}
            template:
                # staging's pod
                metadata: {labels: {app: db, tier: data}}
                spec:
                  containers:
                    - name: db
                      image: registry.local/db:2
                      args:
                        - |
                          line one
                          line two
                      resources: {requests: {memory: 1Gi}}

            # claims are prod's
            volumeClaimTemplates:
                - metadata: {name: data}
                  spec: {resources: {requests: {storage: 100Gi}}}
        """,
        rewritten);
    assertEquals(TemplateCarry.template(STAGING, "db"), TemplateCarry.template(rewritten, "db"));
  }

  @Test
  void equalTemplatesWrittenDifferentlyLeaveTheTextAsItIs() {
    String flowier =
        PROD.replace(
            "metadata: {labels: {app: db}}\n", "metadata:\n                labels: {app: db}\n");
    String template = TemplateCarry.template(PROD, "db").orElseThrow();
    assertEquals(Optional.of(flowier), TemplateCarry.rewrite(flowier, "db", template));
  }

  @Test
  void aFileWithoutTheStatefulSetIsNotTouched() {
    String template = TemplateCarry.template(STAGING, "db").orElseThrow();
    assertEquals(Optional.empty(), TemplateCarry.rewrite(PROD, "cache", template));
    assertEquals(Optional.empty(), TemplateCarry.template(STAGING, "cache"));
  }

  @Test
  void aTemplateWhoseLabelsNoLongerMatchTheTargetsSelectorIsRefused() {
    String template =
        TemplateCarry.template(STAGING.replace("{app: db, tier", "{app: db-v2, tier"), "db")
            .orElseThrow();
    String message =
        assertThrows(
                IllegalArgumentException.class, () -> TemplateCarry.rewrite(PROD, "db", template))
            .getMessage();
    assertTrue(message.contains("do not match the target's spec.selector.matchLabels"), message);
  }

  @Test
  void aTemplateInFlowStyleIsRefusedWithWhatToDo() {
    String flow = STAGING.substring(0, STAGING.indexOf("  template:")) + "  template: {}\n";
    String message =
        assertThrows(IllegalArgumentException.class, () -> TemplateCarry.template(flow, "db"))
            .getMessage();
    assertTrue(message.contains("no spec.template in block style"), message);
  }
}
