package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.git.TestRemote;
import dev.ordinal.testkit.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  /** A valid StatefulSet, for tests of the command. */
  static final String STS =
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
      spec:
        replicas: 3
        serviceName: db
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec:
            containers:
              - name: db
                image: postgres:16.4
      """;

  @TempDir Path tmp;

  @Test
  void validFolderExitsZero() throws IOException {
    Files.writeString(tmp.resolve("db.yaml"), STS);
    CliRun run = CliRun.of("validate", tmp.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("valid: 1 object (1 StatefulSet)"), run.out());
  }

  @Test
  void verboseSaysWhatItReadAndFromWhereAndQuietSaysNothing() throws IOException {
    Files.writeString(tmp.resolve("db.yaml"), STS);
    try (LogCapture log = new LogCapture(SourceOptions.class)) {
      assertEquals(0, CliRun.of("validate", tmp.toString()).exitCode());
      assertEquals(List.of(), log.lines());
      CliRun run = CliRun.of("validate", "-v", tmp.toString());
      assertEquals(0, run.exitCode(), run.err());
      assertEquals(1, log.lines().size(), log.lines().toString());
      assertTrue(
          log.lines().get(0).startsWith("INFO read 1 manifest files from " + tmp + " at "),
          log.lines().toString());
    }
  }

  @Test
  void aFolderThatDeclaresNothingIsAnErrorSoAWrongPathFailsCi() throws IOException {
    Files.writeString(tmp.resolve("README.md"), "# moved to envs/prod\n");
    Files.writeString(tmp.resolve("empty.yaml"), "# nothing here yet\n");
    CliRun run = CliRun.of("validate", tmp.toString());
    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertEquals(tmp + ": " + ValidateCommand.NOTHING_DECLARED + "\n", run.err());
    assertEquals("", run.out());
    CliRun json = CliRun.of("validate", "-o", "json", tmp.toString());
    assertEquals(1, json.exitCode(), json.err());
    JsonNode report = new ObjectMapper().readTree(json.out());
    assertFalse(report.path("valid").asBoolean(true), json.out());
    assertEquals(
        ValidateCommand.NOTHING_DECLARED,
        report.path("sources").path(0).path("problems").path(0).path("message").asText(),
        json.out());
  }

  @Test
  void aFileNamedTwiceIsReadOnceNotReportedAsItsOwnDuplicate() throws IOException {
    Path file = Files.writeString(tmp.resolve("db.yaml"), STS);
    CliRun run =
        CliRun.of("validate", file.toString(), tmp.resolve(".").resolve("db.yaml").toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("valid: 1 object (1 StatefulSet)"), run.out());
  }

  @Test
  void invalidFolderExitsOneWithFileAndLine() throws IOException {
    Files.writeString(tmp.resolve("db.yaml"), STS.replace("replicas: 3", "replicas: three"));
    CliRun run = CliRun.of("validate", tmp.toString());
    assertEquals(1, run.exitCode());
    assertTrue(run.err().startsWith("db.yaml:6: spec.replicas"), run.err());
    // a plain folder has no revision to name
    assertTrue(run.err().contains(tmp + ": 1 error; nothing from it would be applied"), run.err());
  }

  @Test
  void examplesShippedWithOrdinalAreValid() {
    CliRun run =
        CliRun.of(
            "validate",
            "examples/minimal",
            "examples/orders-db/envs/staging",
            "examples/orders-db/envs/prod",
            "policies");
    assertEquals(0, run.exitCode(), run.err());
  }

  /**
   * Both environments of the example at once define every object twice: the error says which
   * folders to validate one at a time, and each command it suggests passes.
   */
  @Test
  void twoEnvironmentsAtOnceGetTheCommandsThatValidateEachOnItsOwn() {
    CliRun run = CliRun.of("validate", "examples/orders-db");
    assertEquals(1, run.exitCode(), run.err());
    assertTrue(
        run.err()
            .contains(
                "hint: envs/prod and envs/staging define the same objects; if they are separate"
                    + " environments, validate each on its own:\n"
                    + "  ordinal validate examples/orders-db/envs/prod\n"
                    + "  ordinal validate examples/orders-db/envs/staging\n"),
        run.err());
    for (String line : run.err().lines().filter(l -> l.startsWith("  ordinal ")).toList()) {
      String[] args = line.trim().substring("ordinal ".length()).split(" ");
      CliRun suggested = CliRun.of(args);
      assertEquals(0, suggested.exitCode(), line + "\n" + suggested.err());
    }
  }

  @Test
  void aRepositorysEnvironmentsAreNamedByTheirPathInIt() throws IOException {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"))) {
      remote.commit("main", Map.of("envs/staging/db.yaml", STS, "envs/prod/db.yaml", STS));
      String cache = tmp.resolve("cache").toString();
      CliRun run = CliRun.of("validate", "--repo", remote.fileUrl(), "--data-dir", cache);
      assertEquals(1, run.exitCode(), run.err());
      assertTrue(
          run.err()
              .contains("  ordinal validate --repo " + remote.fileUrl() + " --path envs/prod\n"),
          run.err());
      CliRun prod =
          CliRun.of(
              "validate", "--repo", remote.fileUrl(), "--path", "envs/prod", "--data-dir", cache);
      assertEquals(0, prod.exitCode(), prod.err());
    }
  }

  @Test
  void noHintWhenOtherErrorsShowTheFoldersAreNotJustEnvironments() throws IOException {
    Files.createDirectories(tmp.resolve("a"));
    Files.createDirectories(tmp.resolve("b"));
    Files.writeString(tmp.resolve("a/db.yaml"), STS);
    Files.writeString(tmp.resolve("b/db.yaml"), STS);
    Files.writeString(
        tmp.resolve("b/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {port: 8080}\n");
    CliRun run = CliRun.of("validate", tmp.toString());
    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("b/db.yaml:1: duplicate StatefulSet"), run.err());
    assertTrue(run.err().contains("b/cm.yaml:4: data.port"), run.err());
    assertFalse(run.err().contains("hint:"), run.err());
  }

  @Test
  void anObjectTwiceInOneFolderIsAMistakeNotAnEnvironment() throws IOException {
    Files.writeString(tmp.resolve("a.yaml"), STS);
    Files.writeString(tmp.resolve("b.yaml"), STS);
    CliRun run = CliRun.of("validate", tmp.toString());
    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("b.yaml:1: duplicate StatefulSet"), run.err());
    assertFalse(run.err().contains("hint:"), run.err());
  }

  @Test
  void noSourceIsAUsageErrorWithExitTwo() {
    CliRun run = CliRun.of("validate");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("Usage: ordinal validate"), run.err());
  }

  @Test
  void unknownCommandIsAUsageError() {
    assertEquals(2, CliRun.of("frobnicate").exitCode());
  }

  @Test
  void repositoryAtARevisionAndPath() throws IOException {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"))) {
      var good =
          remote.commit("main", Map.of("envs/prod/db.yaml", STS, "README.md", "not a manifest"));
      remote.commit("main", Map.of("envs/prod/db.yaml", STS.replace("kind: StatefulSet\n", "")));

      CliRun atHead =
          CliRun.of(
              "validate",
              "--repo",
              remote.fileUrl(),
              "--path",
              "envs/prod",
              "--data-dir",
              tmp.resolve("cache").toString());
      assertEquals(1, atHead.exitCode(), atHead.out());
      assertTrue(atHead.err().contains("envs/prod/db.yaml:1: kind"), atHead.err());

      CliRun atGood =
          CliRun.of(
              "validate",
              "--repo",
              remote.fileUrl(),
              "--revision",
              good.name(),
              "--path",
              "envs/prod",
              "--data-dir",
              tmp.resolve("cache").toString());
      assertEquals(0, atGood.exitCode(), atGood.err());
    }
  }

  @Test
  void unreachableRepositoryExitsTwo() {
    CliRun run =
        CliRun.of(
            "validate",
            "--repo",
            tmp.resolve("missing.git").toUri().toString(),
            "--data-dir",
            tmp.resolve("c").toString());
    assertEquals(2, run.exitCode());
    assertTrue(!run.err().isBlank());
  }

  @Test
  void filesAreCheckedTogetherAsOneTree() throws IOException {
    String policy =
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: careful}
        spec:
          steps: [{canary: {replicas: 1}}, {pause: {}}]
        """;
    Files.writeString(
        tmp.resolve("db.yaml"),
        STS.replace(
            "metadata:\n  name: db\n",
            "metadata:\n  name: db\n  annotations: {ordinal.dev/policy: careful}\n"));
    Files.writeString(tmp.resolve("policy.yaml"), policy);

    CliRun alone = CliRun.of("validate", tmp.resolve("db.yaml").toString());
    CliRun together =
        CliRun.of(
            "validate", tmp.resolve("db.yaml").toString(), tmp.resolve("policy.yaml").toString());

    assertEquals(1, alone.exitCode(), alone.out());
    assertTrue(
        alone.err().contains("names RolloutPolicy 'careful', which is not defined"), alone.err());
    assertEquals(0, together.exitCode(), together.err());
    assertTrue(
        together.out().contains("valid: 1 object (1 StatefulSet), 1 rollout policy"),
        together.out());
  }

  @Test
  void jsonOutputGivesFileLineColumnFieldMessageAndSeverityOfEachProblem() throws IOException {
    Files.writeString(tmp.resolve("db.yaml"), STS.replace("replicas: 3", "replica: 3"));
    Files.writeString(
        tmp.resolve("app.yaml"),
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: db}\n");

    CliRun run = CliRun.of("validate", "--output", "json", tmp.toString());

    assertEquals(1, run.exitCode(), run.err());
    JsonNode report = new ObjectMapper().readTree(run.out());
    assertFalse(report.get("valid").asBoolean());
    JsonNode source = report.get("sources").get(0);
    assertEquals(tmp.toString(), source.get("source").asText());
    JsonNode problems = source.get("problems");
    assertEquals(2, problems.size(), problems.toString());
    assertEquals("app.yaml", problems.get(0).get("file").asText());
    assertEquals("note", problems.get(0).get("severity").asText());
    JsonNode typo = problems.get(1);
    assertEquals("db.yaml", typo.get("file").asText());
    assertEquals(6, typo.get("line").asInt());
    assertEquals(3, typo.get("column").asInt());
    assertEquals("spec.replica", typo.get("field").asText());
    assertEquals(
        "spec.replica: unknown field 'replica'; did you mean 'replicas'?",
        typo.get("message").asText());
    assertEquals("error", typo.get("severity").asText());
  }

  @Test
  void customResourcesPassWithANoteUnlessStrict() throws IOException {
    Files.writeString(
        tmp.resolve("app.yaml"),
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: db}\n");

    CliRun lenient = CliRun.of("validate", tmp.toString());
    CliRun strict = CliRun.of("validate", "--strict", tmp.toString());

    assertEquals(0, lenient.exitCode(), lenient.err());
    assertTrue(lenient.err().startsWith("app.yaml:2: note: kind: Application"), lenient.err());
    assertTrue(lenient.out().endsWith("0 analysis templates (1 note)\n"), lenient.out());
    assertEquals(1, strict.exitCode(), strict.out());
    assertTrue(strict.err().contains("--strict refuses it"), strict.err());
  }

  @Test
  void aTemplateMayQueryWhatTheConfigListsAndNothingElse() throws IOException {
    Path repo = Files.createDirectory(tmp.resolve("repo"));
    Files.writeString(
        repo.resolve("template.yaml"),
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: errors}
        spec:
          metrics:
            - name: errors
              successCondition: result[0] < 1
              provider:
                prometheus:
                  address: http://thanos.monitoring:9090
                  query: sum(errors)
        """);
    Path listing = tmp.resolve("listing.yaml");
    Files.writeString(
        listing,
        """
        prometheus:
          thanos: {address: "http://thanos.monitoring:9090"}
        apps: [{name: a, repo: "file:///nowhere", namespace: a}]
        """);
    Path other = tmp.resolve("other.yaml");
    Files.writeString(
        other,
        """
        prometheus:
          default: {address: "http://prometheus.monitoring:9090"}
        apps: [{name: a, repo: "file:///nowhere", namespace: a}]
        """);

    CliRun unconfigured = CliRun.of("validate", repo.toString());
    CliRun listed = CliRun.of("validate", "--config", listing.toString(), repo.toString());
    CliRun unlisted = CliRun.of("validate", "--config", other.toString(), repo.toString());
    CliRun badConfig =
        CliRun.of("validate", "--config", tmp.resolve("absent.yaml").toString(), repo.toString());

    assertEquals(1, unconfigured.exitCode(), unconfigured.err());
    assertTrue(unconfigured.err().contains("ordinal validate --config FILE"), unconfigured.err());
    assertEquals(0, listed.exitCode(), listed.err());
    assertEquals(1, unlisted.exitCode(), unlisted.err());
    assertTrue(unlisted.err().contains("(servers: default)"), unlisted.err());
    assertEquals(2, badConfig.exitCode(), badConfig.err());
    assertTrue(badConfig.err().contains("absent.yaml: cannot read"), badConfig.err());
  }

  @Test
  void anUnreadableFileSaysWhy(@TempDir Path scratch) throws IOException, InterruptedException {
    Path file = Files.writeString(tmp.resolve("db.yaml"), STS);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    // Root reads a file whatever its mode, and CI runs as root: then ordinal runs as nobody, so
    // that the refusal is still the operating system's own. Nobody may list the folder, not read
    // the file.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    CliRun run =
        Files.isReadable(file)
            ? UnprivilegedCli.run(scratch, "validate", tmp.toString())
            : CliRun.of("validate", tmp.toString());

    assertEquals(1, run.exitCode(), run.err());
    assertTrue(
        run.err()
            .startsWith(
                "db.yaml:1: cannot read file: permission denied; give the user that runs ordinal"
                    + " read access to it, or move it out of the path\n"),
        run.err());
  }

  @Test
  void aFolderThatCannotBeReadIsAnErrorWithExitTwo() throws IOException {
    Files.createSymbolicLink(tmp.resolve("loop.yaml"), Path.of("loop.yaml"));

    CliRun run = CliRun.of("validate", tmp.toString());

    assertEquals(2, run.exitCode());
    assertEquals(
        "loop.yaml: more than 8 symlinks in a row (a loop?); link the file directly\n", run.err());
  }

  @Test
  void jsonOutputNamesTheFilesOfATreeThatCannotBeRead() throws IOException {
    Files.createSymbolicLink(tmp.resolve("loop.yaml"), Path.of("loop.yaml"));

    CliRun run = CliRun.of("validate", "-o", "json", tmp.toString());

    assertEquals(2, run.exitCode(), run.err());
    JsonNode problem =
        new ObjectMapper().readTree(run.out()).get("sources").get(0).get("problems").get(0);
    assertEquals("loop.yaml", problem.get("file").asText());
    assertEquals(0, problem.get("line").asInt());
    assertEquals(
        "more than 8 symlinks in a row (a loop?); link the file directly",
        problem.get("message").asText());
    assertEquals("error", problem.get("severity").asText());
  }

  @Test
  void anUnknownOutputFormatIsAUsageError() {
    CliRun run = CliRun.of("validate", "--output", "yaml", tmp.toString());
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("--output must be text or json"), run.err());
  }

  /** A path typed or pasted with an escape sequence in it is echoed written out, in every line. */
  @Test
  void sourcesAndRefsAreEchoedWithTheirControlCharactersWrittenOut() throws Exception {
    Path folder = Files.createDirectory(tmp.resolve("dir\u001b[31mx"));
    Files.writeString(folder.resolve("db.yaml"), STS);
    Files.writeString(folder.resolve("bad.yaml"), "apiVersion: v1\nkind: ConfigMap\n");
    Path empty = Files.createDirectory(tmp.resolve("empty\u001b[31mx"));
    Path repo = tmp.resolve("repo");
    try (org.eclipse.jgit.api.Git git =
        org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).call()) {
      git.commit().setMessage("first").setSign(false).setAllowEmpty(true).call();
    }
    for (String[] args :
        List.of(
            new String[] {"validate", folder.toString()},
            new String[] {"validate", folder.resolve("db.yaml").toString()},
            new String[] {"validate", tmp.resolve("nope\u001b[31mx").toString()},
            new String[] {"validate", empty.toString()},
            new String[] {"validate", "--repo", repo.toString(), "--revision", "x\u001b[31m"})) {
      CliRun run = CliRun.of(args);
      String said = run.out() + run.err();
      assertTrue(said.contains("\\x1b[31m"), String.join(" ", args) + ": " + said);
      assertTrue(said.chars().noneMatch(c -> c == 0x1b), String.join(" ", args) + ": " + said);
    }
  }

  /**
   * Options that only mean something with --repo were ignored without it, the folder read anyway.
   */
  @Test
  void revisionOrPathWithoutARepositoryAndAnEmptyRevisionAreUsageErrors() throws IOException {
    Files.writeString(tmp.resolve("db.yaml"), STS);
    for (String option : List.of("--revision", "--path")) {
      CliRun run = CliRun.of("validate", option, "main", tmp.toString());
      assertEquals(2, run.exitCode(), option + ": " + run.out());
      assertTrue(
          run.err()
              .startsWith(
                  option + " reads inside a Git repository: give --repo URL|PATH too, or drop it"),
          run.err());
      assertEquals("", run.out());
    }
    CliRun empty = CliRun.of("validate", "--repo", tmp.toString(), "--revision", " ");
    assertEquals(2, empty.exitCode(), empty.out());
    assertTrue(empty.err().startsWith("--revision needs a branch, tag or commit"), empty.err());
  }
}
