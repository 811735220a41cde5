// Ordinal's status page: polls /status and draws it. Everything that comes from Git or the cluster
// is put into the page with textContent or as an attribute value, never parsed as markup, so a
// hostile name, reason or manifest error shows as text. No framework and no build step.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const POLL_MS = 2000;
  let lastShown = "";
  let failures = 0;

  /** An element with attributes and children; strings become text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined && v !== false) {
        node.setAttribute(k, String(v));
      }
    }
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child)) : child);
    }
  }

  function clock(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  }

  function short(revision) {
    return revision ? String(revision).replace(/^.*-/, "") : "";
  }

  function duration(seconds) {
    if (seconds < 60) return seconds + "s";
    if (seconds < 3600) return Math.floor(seconds / 60) + "m " + (seconds % 60) + "s";
    return Math.floor(seconds / 3600) + "h " + Math.floor((seconds % 3600) / 60) + "m";
  }

  // ------------------------------------------------------------------ rollouts

  function rolloutCard(r) {
    const warn = r.phase === "Degraded" || r.phase === "RolledBack";
    const stepText = r.step > 0 && r.steps > 0
      ? (r.step > r.steps ? "full promotion" : "step " + r.step + " of " + r.steps) : "";
    return el("article", { class: "card phase-" + r.phase, "data-rollout": r.namespace + "/" + r.name },
      el("div", { class: "head" },
        el("div", { class: "title" }, el("span", { class: "ns" }, r.namespace + " / "), r.name),
        el("span", { class: "badge phase " + r.phase }, r.phase),
        stepText ? el("span", { class: "sub" }, stepText) : null,
        r.stepStartedAt ? el("span", { class: "sub", "data-since": r.stepStartedAt }) : null),
      el("div", { class: "sub" },
        r.app ? "app " + r.app : "applied by another tool",
        r.commit ? " · commit " + String(r.commit).slice(0, 12) : "",
        " · stable " + short(r.stable),
        r.target !== r.stable ? " → canary " + short(r.target) : ""),
      r.reason ? el("div", { class: "reason" + (warn ? " warn" : ""), "data-reason": "" }, r.reason) : null,
      r.stateError ? el("div", { class: "reason warn" }, "rollout state unreadable: " + r.stateError) : null,
      steps(r),
      el("div", { class: "grid2" },
        el("div", {},
          el("h3", {}, "Pods"),
          pods(r),
          facts(r),
          el("h3", {}, "Decisions"),
          timeline(r.decisions)),
        el("div", {},
          el("h3", {}, "Analysis"),
          analysis(r))));
  }

  function steps(r) {
    return el("div", { class: "steps", role: "list" },
      r.stepList.map(s => el("div", { class: "stepbox " + s.status, role: "listitem", title: s.status },
        el("span", { class: "n" }, s.kind === "promote" ? "then" : "step " + s.index), s.text)));
  }

  function pods(r) {
    const boxes = r.pods.map(p => el("div", {
      class: "pod " + p.role + (p.ready ? "" : " notready") + (p.terminating ? " terminating" : ""),
      title: p.name + " · " + p.role + " · " + (p.ready ? "Ready" : "not Ready")
        + (p.restarts ? " · " + p.restarts + " restarts" : "") + " · " + p.revision,
    }, el("span", { class: "ord" }, String(p.ordinal)), p.role));
    const roles = r.roles;
    return el("div", {},
      el("div", { class: "pods" }, boxes.length ? boxes : el("span", { class: "empty" }, "no pods")),
      el("div", { class: "legend" },
        el("span", {}, el("i", { class: "stable" }), "stable " + roles.stable.ready + "/" + roles.stable.pods + " ready"),
        el("span", {}, el("i", { class: "canary" }), "canary " + roles.canary.ready + "/" + roles.canary.pods + " ready"),
        roles.other.pods ? el("span", {}, el("i", { class: "other" }), "other " + roles.other.pods) : null));
  }

  function facts(r) {
    const rows = [
      ["replicas", r.replicas + (r.strategy === "ON_DELETE" ? " (OnDelete)" : ", partition " + r.partition)],
      ["progress deadline", duration(r.progressDeadlineSeconds)],
    ];
    if (r.verdicts.length) rows.push(["verdicts", r.verdicts.join("; ")]);
    if (r.failedRevisions.length) rows.push(["not retried", r.failedRevisions.join(", ")]);
    if (r.userPaused) rows.push(["paused", "by a user: ordinal resume " + r.name]);
    if (r.backup) rows.push(["backup", backupText(r.backup)]);
    if (r.restore) rows.push(["restore", restoreText(r.restore)]);
    return el("dl", { class: "kv" }, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  }

  // The backup's id is what `ordinal backup list` and `restore` take, so it is shown whole.
  function backupText(b) {
    const stages = { QUIESCE: "quiescing", SNAPSHOT: "snapshotting", RESUME: "resuming",
      READYING: "waiting for readyToUse", READY: "ready", FAILED: "failed" };
    return b.id + " · " + (stages[b.stage] || b.stage) + (b.manual ? " · by a user" : "")
      + " · " + clock(b.startedAt)
      + (b.failure ? " · " + b.failure : "")
      + (b.restored ? " · restored by " + b.restored : "");
  }

  function restoreText(x) {
    const stages = { SCALE_DOWN: "scaling down", REPLACE: "replacing claims", SCALE_UP: "scaling up" };
    return x.id + " from " + x.backupId + " · pods " + x.ordinals.join(", ")
      + " · " + (stages[x.stage] || x.stage) + (x.auto ? " · on rollback" : " · by a user");
  }

  function timeline(decisions) {
    if (!decisions.length) return el("p", { class: "empty" }, "no decisions seen by this instance yet");
    return el("ol", { class: "timeline" }, decisions.map(d =>
      el("li", { class: d.type },
        el("time", { datetime: d.at }, clock(d.at)),
        el("div", {},
          el("span", { class: "what" }, d.reason),
          d.step ? el("span", { class: "stepno" }, "at " + d.step) : null,
          el("div", { class: "msg" }, d.message)))));
  }

  function analysis(r) {
    if (!r.analysis.length) return el("p", { class: "empty" }, "no analysis in this rollout yet");
    return el("div", {}, r.analysis.map(run => el("div", { class: "run" },
      el("div", { class: "sub" },
        (run.step === 0 ? "background analysis" : "step " + run.step + " analysis") + " · ",
        el("span", { class: "badge " + verdictClass(run.verdict) }, run.verdict),
        run.message ? " · " + run.message : ""),
      run.metrics.map(m => metric(m)))));
  }

  function verdictClass(v) {
    return { SUCCESSFUL: "Healthy", RUNNING: "Progressing", INCONCLUSIVE: "Paused", FAILED: "Degraded", ERROR: "Degraded" }[v] || "";
  }

  function metric(m) {
    const conditions = [];
    if (m.successCondition) conditions.push("success: " + m.successCondition);
    if (m.failureCondition) conditions.push("failure: " + m.failureCondition);
    const last = m.measurements.length ? m.measurements[m.measurements.length - 1] : null;
    return el("div", { class: "metric", "data-metric": m.template + "/" + m.metric },
      el("div", { class: "mhead" },
        el("span", { class: "mname" }, m.template + " / " + m.metric + (m.dryRun ? " (dry run)" : "")),
        el("span", { class: "badge " + verdictClass(m.phase) }, m.phase)),
      el("div", { class: "cond" }, conditions.join(" · ")),
      chart(m),
      el("div", { class: "explain" },
        last ? "last " + last.value + " at " + clock(last.time) + (last.message ? " (" + last.message + ")" : "") + " · " : "",
        m.explanation),
      el("div", { class: "explain" }, m.limits));
  }

  /** The measured values as points over the thresholds the conditions compare them with. */
  function chart(m) {
    const W = 480, H = 150, L = 44, R = 8, T = 10, B = 16;
    const values = m.measurements.map(x => x.number).filter(v => v !== null && v !== undefined);
    const limits = m.thresholds.map(t => t.value);
    const all = values.concat(limits);
    if (!all.length) {
      return el("p", { class: "empty" }, m.measurements.length ? "no numeric values to chart" : "waiting for the first measurement");
    }
    let lo = Math.min(0, ...all), hi = Math.max(...all);
    if (hi === lo) hi = lo + 1;
    hi += (hi - lo) * 0.15;
    const y = v => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
    const n = Math.max(m.measurements.length, 2);
    const x = i => L + (W - L - R) * (i / (n - 1));
    const parts = [];
    for (const g of [lo, (lo + hi) / 2, hi]) {
      parts.push(svg("line", { class: "gridl", x1: L, x2: W - R, y1: y(g), y2: y(g) }));
      parts.push(svg("text", { x: L - 4, y: y(g) + 3, "text-anchor": "end" }, fmt(g)));
    }
    parts.push(svg("line", { class: "axis", x1: L, x2: L, y1: T, y2: H - B }));
    for (const t of m.thresholds) {
      parts.push(svg("line", { class: "thr-" + t.condition, x1: L, x2: W - R, y1: y(t.value), y2: y(t.value) }));
      parts.push(svg("text", { class: "thr-label-" + t.condition, x: W - R - 2, y: y(t.value) - 3, "text-anchor": "end" },
        t.condition + " " + t.op + " " + fmt(t.value)));
    }
    const path = [];
    m.measurements.forEach((p, i) => {
      if (p.number !== null && p.number !== undefined) path.push((path.length ? "L" : "M") + x(i).toFixed(1) + " " + y(p.number).toFixed(1));
    });
    if (path.length > 1) parts.push(svg("path", { class: "line", d: path.join(" ") }));
    m.measurements.forEach((p, i) => {
      const has = p.number !== null && p.number !== undefined;
      parts.push(svg("circle", { class: "pt-" + p.phase, cx: x(i), cy: has ? y(p.number) : H - B, r: has ? 4 : 3 },
        svg("title", {}, clock(p.time) + " " + p.phase + " " + p.value + (p.message ? " — " + p.message : ""))));
    });
    parts.push(svg("text", { x: L, y: H - 3 }, "oldest"));
    parts.push(svg("text", { x: W - R, y: H - 3, "text-anchor": "end" }, "latest"));
    return svg("svg", { class: "chart", viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": m.metric + " measurements against thresholds" }, parts);
  }

  function fmt(v) {
    const a = Math.abs(v);
    if (a !== 0 && (a < 0.001 || a >= 100000)) return v.toExponential(1);
    return String(Math.round(v * 1000) / 1000);
  }

  // ------------------------------------------------------------------ apps

  function appCard(a) {
    const result = a.lastSyncResult || "pending";
    const git = a.git || {};
    const bad = result === "invalid" || result === "refused" || result === "error" || git.lastError;
    return el("article", { class: "card", "data-app": a.app },
      el("div", { class: "head" },
        el("div", { class: "title" }, a.app),
        el("span", { class: "badge " + result }, result)),
      el("dl", { class: "kv" },
        el("dt", {}, "repo"), el("dd", { class: "mono" }, (git.url || "") + (git.ref ? " @ " + git.ref : "")),
        el("dt", {}, "applied"), el("dd", { class: "mono" }, a.lastAppliedRevision ? String(a.lastAppliedRevision).slice(0, 12) : "nothing yet"),
        el("dt", {}, "last sync"), el("dd", {}, a.lastSyncAt ? clock(a.lastSyncAt) : "never"),
        git.consecutiveFailures ? el("dt", {}, "fetch failures") : null,
        git.consecutiveFailures ? el("dd", {}, String(git.consecutiveFailures)) : null),
      git.lastError ? el("pre", { class: "detail" }, git.lastError) : null,
      bad && a.lastSyncDetail ? el("pre", { class: "detail", "data-detail": "" }, a.lastSyncDetail) : null);
  }

  // ------------------------------------------------------------------ polling

  function render(data) {
    const role = document.getElementById("role");
    role.textContent = data.role;
    role.className = "badge " + data.role;
    const rollouts = document.getElementById("rollouts");
    rollouts.replaceChildren(...(data.rollouts.length ? data.rollouts.map(rolloutCard)
      : [el("p", { class: "empty" }, "No StatefulSet under a rollout policy.")]));
    const apps = document.getElementById("apps");
    apps.replaceChildren(...(data.apps.length ? data.apps.map(appCard) : [el("p", { class: "empty" }, "No apps configured.")]));
    document.body.dataset.generatedAt = data.generatedAt || "";
  }

  /** Time in the current step, counted against the server's clock, without a redraw. */
  function tick(generatedAt) {
    const now = new Date(generatedAt).getTime();
    for (const node of document.querySelectorAll("[data-since]")) {
      const seconds = Math.max(0, Math.round((now - new Date(node.dataset.since).getTime()) / 1000));
      node.textContent = isNaN(seconds) ? "" : "in this step for " + duration(seconds);
    }
  }

  function live(ok, text) {
    const node = document.getElementById("live");
    node.className = "live " + (ok ? "ok" : "down");
    node.textContent = text;
  }

  async function poll() {
    let delay = POLL_MS;
    try {
      const response = await fetch("/status", { cache: "no-store", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const data = await response.json();
      const generatedAt = data.generatedAt;
      delete data.generatedAt;
      const shown = JSON.stringify(data);
      data.generatedAt = generatedAt;
      if (shown !== lastShown) {
        render(data);
        lastShown = shown;
      }
      tick(generatedAt);
      document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
      failures = 0;
      live(true, "live · " + clock(generatedAt));
    } catch (e) {
      failures++;
      delay = Math.min(15000, POLL_MS * Math.pow(2, failures));
      live(false, "disconnected, retrying");
    }
    setTimeout(poll, delay);
  }

  poll();
})();
