package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.git.LogSafe;
import java.net.URI;
import java.util.Locale;

/**
 * The repository API that GitHub and Gitea share in shape: {@code /repos/{owner}/{repo}/pulls} to
 * open ({@code POST}, title, head, base, body) and close ({@code PATCH} {@code state: closed}) pull
 * requests, {@code /repos/{owner}/{repo}/statuses/{sha}} for commit statuses (state, context,
 * description, target_url), and the pull request's JSON (number, html_url, head.ref, base.ref,
 * state, merged_at, merge_commit_sha).
 */
final class ReposApi {
  final ForgeHttp http;
  final String owner;
  final String repo;
  private final String describe;

  /**
   * @param forge the forge's type in messages: github, gitea
   * @param repository {@code owner/name}
   */
  ReposApi(
      String forge,
      URI api,
      String repository,
      ForgeClient client,
      ForgeHttp.Dialect dialect,
      ForgeCredential credential) {
    int slash = repository.indexOf('/');
    if (slash <= 0 || slash != repository.lastIndexOf('/') || slash == repository.length() - 1) {
      throw new IllegalArgumentException(
          "repository must be owner/name, got '" + LogSafe.text(repository) + "'");
    }
    this.owner = repository.substring(0, slash);
    this.repo = repository.substring(slash + 1);
    this.describe = forge + " " + repository;
    this.http = new ForgeHttp(describe, api, client, dialect, credential);
  }

  /** The forge and repository for people and logs: {@code gitea acme/config}. */
  String describe() {
    return describe;
  }

  /** The API root and repository, never the credential. */
  @Override
  public String toString() {
    return http.api() + ", " + owner + "/" + repo;
  }

  URI path(String rest) {
    return URI.create(
        http.api() + "/repos/" + ForgeHttp.encode(owner) + "/" + ForgeHttp.encode(repo) + rest);
  }

  static ObjectNode pullPayload(String head, String base, String title, String body) {
    return ForgeHttp.JSON
        .createObjectNode()
        .put("title", title)
        .put("head", head)
        .put("base", base)
        .put("body", body);
  }

  Forge.PullRequest open(ObjectNode payload) throws ForgeException {
    return pullRequest(
        http.read(http.send("POST", path("/pulls"), payload, "open a pull request")));
  }

  void close(int number) throws ForgeException {
    http.send(
        "PATCH",
        path("/pulls/" + number),
        ForgeHttp.JSON.createObjectNode().put("state", "closed"),
        "close pull request #" + number);
  }

  void status(
      String commit, Forge.CommitState state, String context, String description, String targetUrl)
      throws ForgeException {
    ObjectNode payload =
        ForgeHttp.JSON
            .createObjectNode()
            .put("state", state.name().toLowerCase(Locale.ROOT))
            .put("context", context)
            .put("description", description);
    if (targetUrl != null) {
      payload.put("target_url", targetUrl);
    }
    http.send(
        "POST", path("/statuses/" + commit), payload, "set status " + context + " on " + commit);
  }

  static Forge.PullRequest pullRequest(JsonNode pr) {
    JsonNode mergedAt = pr.path("merged_at");
    return new Forge.PullRequest(
        pr.path("number").asInt(),
        pr.path("html_url").asText(""),
        pr.path("head").path("ref").asText(""),
        pr.path("base").path("ref").asText(""),
        "open".equals(pr.path("state").asText()),
        !mergedAt.isNull() && !mergedAt.isMissingNode(),
        pr.path("merge_commit_sha").isTextual() ? pr.path("merge_commit_sha").asText() : null);
  }
}
