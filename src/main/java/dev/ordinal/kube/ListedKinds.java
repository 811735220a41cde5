package dev.ordinal.kube;

import dev.ordinal.plan.ObjectKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How a one-shot command, which has no watch cache, reads the live twins of many desired objects: a
 * kind of which several are wanted in one namespace is read with one paged LIST instead of a GET
 * per object (1,000 StatefulSets: 2 requests, not 1,000). A kind the user may not list, or whose
 * namespace holds far more of it than is wanted, is left to GETs.
 */
final class ListedKinds {
  /** Fewer wanted objects of a kind in a namespace than this are read one GET each. */
  static final int LIST_AT = 5;

  /** Objects per LIST page, as kubectl pages ({@code --chunk-size}). */
  static final long PAGE = 500;

  private final Map<String, Map<String, HasMetadata>> byScope;

  private ListedKinds(Map<String, Map<String, HasMetadata>> byScope) {
    this.byScope = byScope;
  }

  /** Lists each kind of which at least {@value #LIST_AT} of {@code desired} are in a namespace. */
  static ListedKinds read(
      Supplier<KubernetesClient> client,
      DirectReads direct,
      Collection<? extends HasMetadata> desired,
      String namespace) {
    Map<String, HasMetadata> samples = new LinkedHashMap<>();
    Map<String, Integer> wanted = new HashMap<>();
    for (HasMetadata object : desired) {
      String scope = scope(object, ObjectKey.of(object, namespace));
      samples.putIfAbsent(scope, object);
      wanted.merge(scope, 1, Integer::sum);
    }
    Map<String, Map<String, HasMetadata>> byScope = new HashMap<>();
    samples.forEach(
        (scope, sample) -> {
          if (wanted.get(scope) >= LIST_AT) {
            ObjectKey key = ObjectKey.of(sample, namespace);
            Map<String, HasMetadata> listed =
                list(
                    client,
                    direct,
                    sample,
                    key.isClusterScoped() ? null : key.namespace(),
                    wanted.get(scope));
            if (listed != null) {
              byScope.put(scope, listed);
            }
          }
        });
    return new ListedKinds(byScope);
  }

  /** Whether {@code object}'s kind in its namespace was listed. */
  boolean covers(HasMetadata object, ObjectKey key) {
    return byScope.containsKey(scope(object, key));
  }

  /** The live object with {@code object}'s identity, from the list; null when it does not exist. */
  HasMetadata live(HasMetadata object, ObjectKey key) {
    return byScope.get(scope(object, key)).get(key.name());
  }

  private static String scope(HasMetadata object, ObjectKey key) {
    return object.getApiVersion()
        + "|"
        + object.getKind()
        + "|"
        + (key.isClusterScoped() ? "" : key.namespace());
  }

  /**
   * Every object of {@code sample}'s kind in {@code namespace} (null: cluster-scoped) by name; null
   * when the user may not list them or when there are more than four times as many as are wanted
   * (then GETs cost less than reading the rest). A kind of fabric8's model is read with {@code
   * direct} where there is one, and asked again of the client where it may do better ({@link
   * DirectReads#clientMayDoBetter}).
   */
  private static Map<String, HasMetadata> list(
      Supplier<KubernetesClient> client,
      DirectReads direct,
      HasMetadata sample,
      String namespace,
      int wanted) {
    if (direct != null && !(sample instanceof GenericKubernetesResource)) {
      try {
        return list(pages(direct, sample.getClass(), namespace), sample, wanted);
      } catch (KubernetesClientException e) {
        if (!DirectReads.clientMayDoBetter(e)) {
          return refused(e);
        }
      }
    }
    try {
      return list(pages(client.get(), sample, namespace), sample, wanted);
    } catch (KubernetesClientException e) {
      return refused(e);
    }
  }

  /** The page after a continue token (null: the first), as the server sends it. */
  private interface Pages {
    Page page(String continueToken);
  }

  /** A page's objects and the token of the next page (null or empty: none). */
  private record Page(List<? extends HasMetadata> items, String next) {}

  private static Pages pages(KubernetesClient client, HasMetadata sample, String namespace) {
    MixedOperation<
            ? extends HasMetadata, ? extends KubernetesResourceList<? extends HasMetadata>, ?>
        kind = operation(client, sample);
    return next -> {
      ListOptions options = new ListOptionsBuilder().withLimit(PAGE).withContinue(next).build();
      KubernetesResourceList<? extends HasMetadata> items =
          namespace == null ? kind.list(options) : kind.inNamespace(namespace).list(options);
      return new Page(
          items.getItems(), items.getMetadata() == null ? null : items.getMetadata().getContinue());
    };
  }

  private static Pages pages(
      DirectReads direct, Class<? extends HasMetadata> type, String namespace) {
    return next -> {
      DirectReads.Page<? extends HasMetadata> page = direct.list(type, namespace, PAGE, next);
      return new Page(
          page.items() == null ? List.of() : page.items(),
          page.metadata() == null ? null : page.metadata().getContinue());
    };
  }

  private static Map<String, HasMetadata> list(Pages pages, HasMetadata sample, int wanted) {
    Map<String, HasMetadata> byName = new HashMap<>();
    String next = null;
    do {
      Page page = pages.page(next);
      for (HasMetadata item : page.items()) {
        // the server leaves kind and apiVersion out of a list's items; typed ones know theirs
        if (item instanceof GenericKubernetesResource generic && generic.getKind() == null) {
          generic.setApiVersion(sample.getApiVersion());
          generic.setKind(sample.getKind());
        }
        byName.put(item.getMetadata().getName(), item);
      }
      if (byName.size() > 4L * wanted + PAGE) {
        return null;
      }
      next = page.next();
    } while (next != null && !next.isEmpty());
    return byName;
  }

  /** What a refused LIST means for the objects wanted, or the failure when it means nothing. */
  private static Map<String, HasMetadata> refused(KubernetesClientException e) {
    if (e.getCode() == 404) {
      return Map.of(); // a kind the server does not serve: none of its objects exists
    }
    if (e.getCode() == 403) {
      return null; // may get what it may not list
    }
    // A 401 (the client's too, after it renewed what it could) refuses the credentials, not the
    // verb: a GET of each object would be refused as well, at one request per object.
    throw e;
  }

  private static MixedOperation<
          ? extends HasMetadata, ? extends KubernetesResourceList<? extends HasMetadata>, ?>
      operation(KubernetesClient client, HasMetadata sample) {
    if (sample instanceof GenericKubernetesResource) {
      return client.genericKubernetesResources(sample.getApiVersion(), sample.getKind());
    }
    return typed(client, sample.getClass());
  }

  private static <T extends HasMetadata>
      MixedOperation<T, KubernetesResourceList<T>, Resource<T>> typed(
          KubernetesClient client, Class<T> type) {
    return client.resources(type);
  }
}
