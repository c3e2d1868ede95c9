// The local cloud's console: a hash-routed page that polls the JSON API
// under api/ every second and redraws the current view.
"use strict";

const view = document.getElementById("view");
const live = document.getElementById("live");
const POLL_MS = 1000;
let timer = null;
let generation = 0;
// Rows of the event history the user opened, kept across redraws.
const opened = new Set();

// el builds an element: attributes (on* are listeners) and children (text
// for strings). Text never becomes markup.
function el(tag, attrs, ...children) {
  const e = tag === "svg" || SVG_TAGS.has(tag)
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const SVG_TAGS = new Set(["g", "rect", "text", "path", "circle", "title", "defs", "marker"]);

async function api(path, options) {
  const r = await fetch("api/" + path, options);
  const body = await r.json().catch(() => ({ error: r.status + " " + r.statusText }));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

async function post(path) {
  return api(path, { method: "POST", headers: { "X-Console": "1" } });
}

function q(params) { return new URLSearchParams(params).toString(); }
function status(s) { return el("span", { class: "status s-" + s, "data-status": s }, s); }
function time(t) {
  if (!t) return "";
  const d = new Date(t);
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
function duration(a, b) {
  if (!a) return "";
  const ms = (b ? new Date(b) : new Date()) - new Date(a);
  return ms < 1000 ? ms + " ms" : ms < 60000 ? (ms / 1000).toFixed(1) + " s" : Math.floor(ms / 60000) + " min " + Math.round(ms % 60000 / 1000) + " s";
}
function num(n) { return n === undefined || n === null ? "" : Number(n).toLocaleString("en-US"); }
function bytes(n) {
  if (n < 1024) return n + " B";
  const u = ["KiB", "MiB", "GiB"];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
  return n.toFixed(1) + " " + u[i];
}
function pretty(text) {
  if (text === undefined || text === null || text === "") return "";
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return String(text); }
}
function table(headers, rows, empty) {
  if (!rows.length) return el("div", { class: "empty" }, empty);
  return el("table", {},
    el("thead", {}, el("tr", {}, headers.map(h => el("th", { class: h.endsWith(" ") ? "num" : null }, h.trim())))),
    el("tbody", {}, rows));
}
function link(href, text) { return el("a", { href }, text); }
function meta(pairs) {
  return el("dl", { class: "meta" }, pairs.filter(p => p[1] !== undefined && p[1] !== "").flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}
function progress(done, total, cls) {
  const pct = total > 0 ? Math.min(100, Math.round(100 * done / total)) : 0;
  return el("span", { class: "bar " + cls }, el("span", { style: `width:${pct}%` }));
}

// --- state machines and executions ---

async function executionsView() {
  const { stateMachines } = await api("executions");
  if (!stateMachines.length) return [el("h1", {}, "State machines"), el("div", { class: "empty" }, "No state machines: deploy an app (local run, or local serve --app).")];
  return [el("h1", {}, "State machines"), stateMachines.map(m => [
    el("h2", { "data-machine": m.name }, m.name, " ", el("small", {}, m.type)),
    table(["Execution", "Status", "Started", "Stopped", "Duration"], m.executions.map(e =>
      el("tr", { "data-execution": e.name },
        el("td", {}, link("#/execution?" + q({ arn: e.arn }), e.name)),
        el("td", {}, status(e.status)),
        el("td", {}, time(e.start)), el("td", {}, time(e.stop)), el("td", {}, duration(e.start, e.stop)))), "No executions yet."),
  ])];
}

async function executionView(params) {
  const d = await api("execution?" + q({ arn: params.get("arn") }));
  const x = d.execution;
  const stop = x.status === "RUNNING" && el("button", {
    id: "stop-execution",
    onclick: async () => {
      if (!confirm("Stop execution " + x.name + "?")) return;
      try { await post("execution/stop?" + q({ arn: x.arn })); refresh(); } catch (err) { alert(err.message); }
    },
  }, "Stop execution");
  return [
    el("h1", {}, link("#/executions", "State machines"), " / ", x.name, " ", status(x.status), " ", stop),
    meta([["Execution ARN", x.arn], ["State machine", x.stateMachineArn], ["Started", time(x.start)],
      ["Stopped", time(x.stop)], ["Duration", duration(x.start, x.stop)], ["Error", x.error], ["Cause", x.cause]]),
    el("h2", {}, "Graph"),
    legend(),
    el("div", { class: "graph", id: "graph" }, graph(JSON.parse(d.definition), d.states)),
    el("div", { class: "cols" },
      el("div", {}, el("h2", {}, "Input"), el("pre", { class: "box", id: "execution-input" }, pretty(x.input))),
      el("div", {}, el("h2", {}, "Output"), el("pre", { class: "box", id: "execution-output" }, pretty(x.output) || (x.status === "RUNNING" ? "(running)" : "")))),
    el("h2", {}, "Batch jobs"),
    table(["Job", "Manifest", "Model", "Ledger state", "Submitted"], (d.jobs || []).map(j => el("tr", {},
      el("td", {}, link("#/job?" + q({ arn: j.arn }), j.name || j.arn)), el("td", {}, j.manifest), el("td", {}, j.model),
      el("td", {}, j.state), el("td", {}, time(j.submitted)))), "No batch job in a job ledger for this execution."),
    el("h2", {}, "Event history"),
    historyTable(d.events),
  ];
}

function legend() {
  return el("div", { class: "legend" }, ["succeeded", "failed", "caught", "running", "cancelled"].map(s => el("span", { class: s }, s)),
    el("span", { class: "notreached" }, "not reached"));
}

function historyTable(events) {
  const rows = [];
  for (const e of events) {
    const key = String(e.id);
    rows.push(el("tr", {
      class: "clickable", "data-event": e.type,
      onclick: () => { opened.has(key) ? opened.delete(key) : opened.add(key); refresh(); },
    }, el("td", { class: "num" }, e.id), el("td", {}, e.type), el("td", {}, e.step || ""), el("td", {}, e.resource || ""),
      el("td", { class: "num" }, num(e.elapsedMs)), el("td", {}, time(e.time))));
    if (opened.has(key)) rows.push(el("tr", {}, el("td", { colspan: 6 }, el("pre", { class: "box" }, detailsText(e.details)))));
  }
  return table(["ID ", "Type", "Step", "Resource", "Started after (ms) ", "Date and time"], rows, "No events.");
}

// detailsText shows an event's details with its JSON strings (input,
// output, parameters) expanded.
function detailsText(details) {
  if (!details) return "(no details)";
  const out = {};
  for (const [k, v] of Object.entries(details)) {
    if (v === null) continue;
    if (typeof v === "string" && /^[[{]/.test(v)) { try { out[k] = JSON.parse(v); continue; } catch { /* plain text */ } }
    out[k] = v;
  }
  return JSON.stringify(out, null, 2);
}

// --- the execution graph: a layered layout of the definition ---

const BOX_W = 220, BOX_H = 46, GAP_Y = 44, GAP_X = 28, PAD = 14, HEAD = 44;

// transitions lists where a state can go: [target, kind].
function transitions(s) {
  const out = [];
  if (s.Next) out.push([s.Next, "next"]);
  for (const c of s.Choices || []) if (c.Next) out.push([c.Next, "next"]);
  if (s.Default) out.push([s.Default, "next"]);
  for (const c of s.Catch || []) if (c.Next) out.push([c.Next, "catch"]);
  return out;
}

// children returns the nested state machines of a Map or Parallel state.
function children(s) {
  if (s.Type === "Map") return [s.ItemProcessor || s.Iterator].filter(Boolean);
  if (s.Type === "Parallel") return s.Branches || [];
  return [];
}

// layout places the states of one (sub)machine in layers from StartAt:
// each state one layer below the furthest state that leads to it, back
// edges (loops) excepted.
function layout(machine) {
  const states = machine.States || {};
  const names = Object.keys(states);
  const layer = {};
  const onStack = new Set(), seen = new Set(), order = [];
  const visit = n => {
    if (seen.has(n) || !states[n]) return;
    seen.add(n); onStack.add(n);
    for (const [t] of transitions(states[n])) if (!onStack.has(t)) visit(t);
    onStack.delete(n); order.push(n);
  };
  visit(machine.StartAt);
  for (const n of names) visit(n);
  order.reverse();
  const pos = Object.fromEntries(order.map((n, i) => [n, i]));
  for (const n of order) layer[n] = layer[n] || 0;
  for (const n of order) for (const [t] of transitions(states[n])) {
    if (states[t] && pos[t] > pos[n]) layer[t] = Math.max(layer[t], layer[n] + 1);
  }
  const boxes = {};
  for (const n of names) {
    const kids = children(states[n]).map(layout);
    let w = BOX_W, h = BOX_H;
    if (kids.length) {
      w = Math.max(BOX_W, kids.reduce((a, k) => a + k.width, 0) + GAP_X * (kids.length - 1) + 2 * PAD);
      h = HEAD + Math.max(...kids.map(k => k.height)) + PAD;
    }
    boxes[n] = { name: n, state: states[n], w, h, kids };
  }
  const rows = [];
  for (const n of order) (rows[layer[n]] = rows[layer[n]] || []).push(boxes[n]);
  const width = Math.max(BOX_W, ...rows.map(r => r.reduce((a, b) => a + b.w, 0) + GAP_X * (r.length - 1)));
  let y = 0;
  for (const r of rows) {
    const rw = r.reduce((a, b) => a + b.w, 0) + GAP_X * (r.length - 1);
    let x = (width - rw) / 2;
    const rh = Math.max(...r.map(b => b.h));
    for (const b of r) { b.x = x; b.y = y; x += b.w + GAP_X; }
    y += rh + GAP_Y;
  }
  return { boxes, width, height: y - GAP_Y, start: machine.StartAt };
}

function graph(definition, runs) {
  const L = layout(definition);
  const W = L.width + 40, H = L.height + 100;
  const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, id: "execution-graph" },
    el("defs", {}, el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      el("path", { d: "M0,0 L10,5 L0,10 z", fill: "#879596" }))));
  const root = el("g", { transform: "translate(20,40)" });
  svg.append(root);
  const startBox = L.boxes[L.start];
  if (startBox) {
    root.append(el("circle", { class: "terminal", cx: startBox.x + startBox.w / 2, cy: -24, r: 8 }, el("title", {}, "Start")));
    root.append(el("path", { class: "edge", d: `M${startBox.x + startBox.w / 2},-16 L${startBox.x + startBox.w / 2},0`, "marker-end": "url(#arrow)" }));
  }
  drawMachine(root, L, runs, true);
  return svg;
}

function drawMachine(parent, L, runs, top) {
  for (const b of Object.values(L.boxes)) {
    for (const [t, kind] of transitions(b.state)) {
      const to = L.boxes[t];
      if (!to) continue;
      const x1 = b.x + b.w / 2, y1 = b.y + b.h, x2 = to.x + to.w / 2, y2 = to.y;
      const d = y2 > y1
        ? `M${x1},${y1} C${x1},${y1 + 24} ${x2},${y2 - 24} ${x2},${y2}`
        : `M${b.x + b.w},${b.y + b.h / 2} C${b.x + b.w + 60},${b.y + b.h / 2} ${to.x + to.w + 60},${to.y + to.h / 2} ${to.x + to.w},${to.y + to.h / 2}`;
      parent.append(el("path", { class: "edge " + kind, d, "marker-end": "url(#arrow)" }));
    }
    if (top && (b.state.End || b.state.Type === "Succeed" || b.state.Type === "Fail")) {
      const x = b.x + b.w / 2;
      parent.append(el("path", { class: "edge", d: `M${x},${b.y + b.h} L${x},${b.y + b.h + 16}`, "marker-end": "url(#arrow)" }));
      parent.append(el("circle", { class: "terminal", cx: x, cy: b.y + b.h + 24, r: 8 }, el("title", {}, "End")));
    }
  }
  for (const b of Object.values(L.boxes)) {
    const run = runs[b.name];
    const st = run ? run.status : "notreached";
    const g = el("g", { class: "state st-" + st + (b.kids.length ? " container" : ""), "data-state": b.name, "data-status": st, transform: `translate(${b.x},${b.y})` },
      el("title", {}, `${b.name} (${b.state.Type}): ${st === "notreached" ? "not reached" : st}`),
      el("rect", { width: b.w, height: b.h, rx: 6 }),
      el("text", { x: 10, y: 18 }, b.name),
      el("text", { x: 10, y: 34, class: "sub" }, subtitle(b.state, run)));
    parent.append(g);
    let x = PAD;
    for (const k of b.kids) {
      const inner = el("g", { transform: `translate(${x},${HEAD})` });
      g.append(inner);
      drawMachine(inner, k, runs, false);
      x += k.width + GAP_X;
    }
  }
}

function subtitle(s, run) {
  let t = s.Type;
  if (run && run.iterations) {
    const it = run.iterations;
    t += ` · ${it.succeeded}/${it.total} iterations succeeded`;
    if (it.failed) t += `, ${it.failed} failed`;
    if (it.aborted) t += `, ${it.aborted} aborted`;
    if (it.started > it.succeeded + it.failed + it.aborted) t += `, ${it.started - it.succeeded - it.failed - it.aborted} running`;
  } else if (run && run.entered > 1) {
    t += ` · ran ${run.entered}×`;
    if (run.entered > run.exited && run.status === "running") t += `, ${run.entered - run.exited} in progress`;
  }
  return t;
}

// --- batch jobs ---

function jobCells(j) {
  const cls = j.status === "Completed" ? "done" : j.errors > 0 || j.status === "Failed" ? "bad" : "";
  return [
    el("td", {}, status(j.status)),
    el("td", {}, j.model),
    el("td", { class: "records" }, progress(j.processed, j.total, cls), el("span", { class: "count" }, `${num(j.processed)} / ${num(j.total)}`)),
    el("td", { class: "num success" }, num(j.success)),
    el("td", { class: "num errors" }, num(j.errors)),
    el("td", { class: "num tokens" }, j.inputTokens === undefined ? "" : `${num(j.inputTokens)} / ${num(j.outputTokens)}`),
    el("td", { class: "num cost" }, j.cost === undefined ? (j.inputTokens === undefined ? "" : "no price") : "$" + j.cost.toFixed(4)),
  ];
}
const JOB_HEADERS = ["Status", "Model", "Records processed / total", "Succeeded ", "Failed ", "Tokens in / out ", "Batch cost "];

async function jobsView() {
  const { jobs, more } = await api("jobs");
  return [el("h1", {}, "Batch jobs"),
    more ? el("p", {}, `The newest ${num(jobs.length)} jobs; older ones are not shown.`) : "",
    table(["Job", ...JOB_HEADERS, "Submitted", "Duration"], jobs.map(j =>
      el("tr", { "data-job": j.name },
        el("td", {}, link("#/job?" + q({ arn: j.arn }), j.name)),
        jobCells(j),
        el("td", {}, time(j.submitted)), el("td", {}, duration(j.submitted, j.ended)))), "No batch jobs yet.")];
}

function s3Link(uri) {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri || "");
  if (!m) return uri || "";
  const isPrefix = m[2] === "" || m[2].endsWith("/");
  return link(isPrefix ? "#/s3?" + q({ bucket: m[1], prefix: m[2] }) : "#/object?" + q({ bucket: m[1], key: m[2] }), uri);
}

async function jobView(params) {
  const d = await api("job?" + q({ arn: params.get("arn") }));
  const j = d.job;
  const active = ["Submitted", "Validating", "Scheduled", "InProgress"].includes(j.status);
  const stop = active && el("button", {
    id: "stop-job",
    onclick: async () => {
      if (!confirm("Stop batch job " + j.name + "?")) return;
      try { await post("job/stop?" + q({ arn: j.arn })); refresh(); } catch (err) { alert(err.message); }
    },
  }, "Stop job");
  return [
    el("h1", {}, link("#/jobs", "Batch jobs"), " / ", j.name, " ", status(j.status), " ", stop),
    table(JOB_HEADERS, [el("tr", { "data-job": j.name }, jobCells(j))], ""),
    meta([["Job ARN", j.arn], ["Message", j.message], ["Input", s3Link(j.input)], ["Output", s3Link(j.output)],
      ["Submitted", time(j.submitted)], ["Ended", time(j.ended)], ["Timeout", d.timeoutHours ? d.timeoutHours + " hours" : ""]]),
    el("h2", {}, "Output files"),
    table(["File", "Size ", ""], d.files.map(f => el("tr", {},
      el("td", {}, link("#/object?" + q({ bucket: f.bucket, key: f.key }), f.key)),
      el("td", { class: "num" }, bytes(f.size)),
      el("td", {}, link("api/download?" + q({ bucket: f.bucket, key: f.key }), "download")))), "No output yet."),
    el("h2", {}, "Failed records"),
    table(["Record", "Code ", "Message", "File"], d.failed.map(f => el("tr", { "data-failed": f.recordId },
      el("td", {}, f.recordId), el("td", { class: "num" }, f.code), el("td", {}, f.message), el("td", {}, f.file))),
      j.errors > 0 ? "The failed records are in the output files once the job has ended." : "No failed records."),
    d.failed.length >= d.failedShown ? el("div", { class: "empty" }, `The first ${d.failedShown} failed records are shown.`) : null,
  ];
}

// --- S3 ---

async function s3View(params) {
  const bucket = params.get("bucket");
  if (!bucket) {
    const { buckets } = await api("buckets");
    return [el("h1", {}, "S3 buckets"), table(["Bucket", "Created"], buckets.map(b => el("tr", { "data-bucket": b.name },
      el("td", {}, link("#/s3?" + q({ bucket: b.name, prefix: "" }), b.name)), el("td", {}, time(b.created)))), "No buckets.")];
  }
  const prefix = params.get("prefix") || "";
  const d = await api("objects?" + q({ bucket, prefix }));
  const rows = [
    ...d.folders.map(f => el("tr", { "data-folder": f },
      el("td", {}, link("#/s3?" + q({ bucket, prefix: f }), f.slice(prefix.length))), el("td", {}), el("td", {}), el("td", {}))),
    ...d.objects.map(o => el("tr", { "data-object": o.key },
      el("td", {}, link("#/object?" + q({ bucket, key: o.key }), o.key.slice(prefix.length))),
      el("td", { class: "num" }, bytes(o.size)), el("td", {}, time(o.modified)),
      el("td", {}, link("api/download?" + q({ bucket, key: o.key }), "download")))),
  ];
  return [el("h1", {}, crumbs(bucket, prefix)),
    table(["Name", "Size ", "Last modified", ""], rows, "Empty."),
    d.truncated ? el("div", { class: "empty" }, "Only the first entries are listed.") : null];
}

function crumbs(bucket, prefix) {
  const parts = [link("#/s3", "S3"), " / ", link("#/s3?" + q({ bucket, prefix: "" }), bucket)];
  let p = "";
  for (const seg of prefix.split("/").filter(Boolean)) {
    p += seg + "/";
    parts.push(" / ", link("#/s3?" + q({ bucket, prefix: p }), seg));
  }
  return el("span", { class: "crumbs" }, parts);
}

async function objectView(params) {
  const bucket = params.get("bucket"), key = params.get("key");
  const d = await api("object?" + q({ bucket, key }));
  const dir = key.includes("/") ? key.slice(0, key.lastIndexOf("/") + 1) : "";
  return [
    el("h1", {}, crumbs(bucket, dir), " / ", key.slice(dir.length)),
    meta([["Size", bytes(d.size)], ["Content type", d.contentType], ["Last modified", time(d.modified)],
      ["Download", link("api/download?" + q({ bucket, key }), "download " + key.slice(dir.length))]]),
    el("h2", {}, d.binary ? "Binary content" : d.json ? `First ${d.lines.length} lines, pretty-printed` : `First ${d.lines.length} lines`),
    d.binary ? el("div", { class: "empty" }, "Not text: download it to look inside.")
      : el("div", { id: "object-lines" }, d.lines.map((l, i) => el("div", {}, el("small", {}, "line " + (i + 1)), el("pre", { class: "box line" }, l)))),
    d.truncated ? el("div", { class: "empty" }, "The object goes on: download it for the rest.") : null,
  ];
}

// --- events and functions ---

async function activityView() {
  const d = await api("activity");
  return [
    el("h1", {}, "Events and functions"),
    el("h2", {}, "Recent EventBridge events"),
    table(["Time", "Source", "Detail type", "Matched rules", "Detail"], d.events.map(e => el("tr", { "data-event-id": e.id },
      el("td", {}, time(e.time)), el("td", {}, e.source), el("td", {}, e.detailType),
      el("td", {}, (e.rules || []).length ? e.rules.join(", ") : "(none)"),
      el("td", {}, el("pre", {}, pretty(e.detail))))), "No events since the local cloud started."),
    el("h2", {}, "Recent Lambda invocations"),
    table(["Time", "Function", "Type", "Attempt ", "Duration ", "Result or error"], d.invocations.map(i => el("tr", { "data-invocation": i.requestId },
      el("td", {}, time(i.start)), el("td", {}, i.function), el("td", {}, i.type), el("td", { class: "num" }, i.attempt),
      el("td", { class: "num" }, (i.duration / 1e6).toFixed(1) + " ms"),
      el("td", {}, i.error ? status("failed") : status("succeeded"), " ", el("pre", {}, pretty(i.result)),
        i.log ? el("pre", { class: "log" }, i.log) : false))), "No invocations since the local cloud started."),
  ];
}

// --- routing and polling ---

const routes = {
  executions: executionsView, execution: executionView, jobs: jobsView, job: jobView,
  s3: s3View, object: objectView, activity: activityView, messaging: messagingView,
  dynamodb: dynamodbView, table: tableItemsView,
};

function route() {
  const hash = location.hash.replace(/^#\/?/, "") || "executions";
  const [page, query] = hash.split("?");
  return { page: routes[page] ? page : "executions", params: new URLSearchParams(query || "") };
}

async function refresh() {
  const mine = ++generation;
  clearTimeout(timer);
  const { page, params } = route();
  const section = { execution: "executions", job: "jobs", object: "s3", table: "dynamodb" }[page] || page;
  document.querySelectorAll("nav a").forEach(a => a.classList.toggle("active", a.dataset.page === section));
  try {
    const content = await routes[page](params);
    if (mine !== generation) return;
    view.replaceChildren(...[content].flat(Infinity).filter(c => c !== null && c !== false && c !== undefined));
    live.classList.remove("stale");
    live.textContent = "live · " + new Date().toLocaleTimeString();
  } catch (err) {
    if (mine !== generation) return;
    live.classList.add("stale");
    live.textContent = "not refreshed: " + err.message;
    if (!view.childElementCount) view.replaceChildren(el("div", { class: "error" }, err.message));
  }
  // An object's preview does not change; everything else is polled.
  if (mine === generation && page !== "object") timer = setTimeout(refresh, POLL_MS);
}

window.addEventListener("hashchange", () => { opened.clear(); view.replaceChildren(); refresh(); });
refresh();
