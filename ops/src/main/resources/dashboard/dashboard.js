// The pair's dashboard, updated from this site's GET /pair once a second. No framework and no
// other fetch: it works on an isolated network. The server drew the first paint; this redraws it.
"use strict";

const POLL_MS = 1000;
const KEEP_MS = 120000; // the charts show the last two minutes
const samples = [];

const $ = (id) => document.getElementById(id);
const text = (el, value) => { if (el.textContent !== value) el.textContent = value; };

function state(protection) {
  return protection ? protection.split(" (")[0] : "";
}

function number(n) {
  return n === undefined || n === null ? "–" : n.toLocaleString("en");
}

function bytes(n) {
  if (n === undefined || n === null) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
  return (u === 0 ? n : n.toFixed(1)) + " " + units[u];
}

function duration(seconds) {
  if (seconds === undefined || seconds === null || seconds < 0) return "unknown";
  const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
  return m > 0 ? m + " min " + s + " s" : s + " s";
}

/** The site serving clients, else the first that answered. */
function serving(sites) {
  const all = Object.values(sites);
  return all.find((s) => s.service) || all.find((s) => s.role) || {};
}

/** Where clients reach the site; in network mode nic, its virtual NIC too (as the page's first paint has it). */
function clients(s) {
  if (!s.service) return "–";
  const nic = s.nic;
  if (!nic) return s.service;
  return s.service + " on tap " + nic.tap + ", link " + (nic.link_up ? "up" : "DOWN")
      + (nic.guest ? ", " + nic.guest.connections_open + " connections" : "");
}

function drawSites(sites) {
  for (const [name, s] of Object.entries(sites)) {
    const card = document.querySelector(`[data-site="${name}"]`);
    if (!card) continue;
    const field = (f) => card.querySelector(`[data-field="${f}"]`);
    text(field("role"), s.role || "unreachable");
    text(field("epoch"), s.epoch === undefined ? "–" : String(s.epoch));
    text(field("protection"), s.protection || "–");
    field("protection").dataset.state = state(s.protection);
    text(field("reason"), s.reason || s.error || "–");
    text(field("service"), clients(s));
    card.dataset.role = s.role || "unreachable";
  }
}

function drawAlarms(alarms) {
  const list = document.querySelector("#alarms .alarm-list");
  list.replaceChildren(...alarms.map((a) => {
    const li = document.createElement("li");
    li.className = "alarm" + (a.severity === "WARNING" ? " warning" : "");
    li.dataset.kind = a.kind;
    const what = document.createElement("strong");
    what.textContent = a.what;
    li.append(what);
    if (a.to_do) {
      const todo = document.createElement("span");
      todo.className = "todo";
      todo.textContent = "What to do: " + a.to_do;
      li.append(todo);
    }
    return li;
  }));
  const clear = document.querySelector("#alarms .all-clear");
  if (clear) clear.hidden = alarms.length > 0;
}

function drawQuorum(quorum, words) {
  const peers = document.querySelector("#quorum .peers");
  const items = [];
  if (quorum) {
    for (const p of quorum.serving) items.push([p, "up"]);
    for (const p of quorum.down) items.push([p, "down"]);
  }
  peers.replaceChildren(...items.map(([peer, how]) => {
    const li = document.createElement("li");
    li.className = how;
    li.dataset.peer = peer;
    li.textContent = peer + " " + how;
    return li;
  }));
  const possible = $("failover-possible");
  text(possible, words);
  possible.dataset.possible = quorum ? String(quorum.failover_possible) : "";
}

function drawLink(site, hold, now) {
  const p = site.positions || {};
  const logged = p.logged !== undefined ? p.logged : p.received;
  text($("pos-logged"), number(logged));
  text($("pos-acknowledged"), number(p.acknowledged));
  text($("pos-replayed"), number(p.replayed));
  text($("lag"), site.lag_ms === undefined ? "–" : site.lag_ms + " ms");
  const l = site.logging || {};
  text($("bw-raw"), l.raw_mbit_s === undefined ? "–" : l.raw_mbit_s + " Mbit/s (" + bytes(l.raw_bytes) + ")");
  text($("bw-wire"), l.wire_mbit_s === undefined ? "–"
      : l.wire_mbit_s + " Mbit/s" + (l.wire_bytes === undefined ? "" : " (" + bytes(l.wire_bytes) + ")"));
  text($("bw-ratio"), l.compression_ratio === undefined ? "–" : l.compression_ratio + " : 1");
  text($("held"), number(site.held_outputs));
  const prefix = hold && hold.upper_bound ? "≤ " : "";
  text($("hold-p50"), hold ? prefix + hold.p50_ms.toFixed(2) + " ms" : "n/a");
  text($("hold-p99"), hold ? prefix + hold.p99_ms.toFixed(2) + " ms" : "n/a");

  samples.push({
    t: now,
    lag: site.lag_ms,
    unacknowledged: p.logged !== undefined && p.acknowledged !== undefined ? p.logged - p.acknowledged : undefined,
    unreplayed: logged !== undefined && p.replayed !== undefined ? logged - p.replayed : undefined,
  });
  while (samples.length && samples[0].t < now - KEEP_MS) samples.shift();
  chart("chart-lag", ["lag"], now);
  chart("chart-behind", ["unacknowledged", "unreplayed"], now);
}

/** Each series as a polyline: x the last two minutes (0..120), y scaled to the largest value shown. */
function chart(id, series, now) {
  const values = samples.flatMap((s) => series.map((k) => s[k])).filter((v) => v !== undefined);
  const max = Math.max(1, ...values);
  text($(id + "-max"), number(max));
  for (const key of series) {
    const points = samples.filter((s) => s[key] !== undefined)
        .map((s) => ((s.t - (now - KEEP_MS)) / 1000).toFixed(1) + "," + (40 - (s[key] / max) * 38 - 1).toFixed(1));
    document.querySelector(`#${id} [data-series="${key}"]`).setAttribute("points", points.join(" "));
  }
}

function drawResync(sites) {
  const section = $("resync");
  let copied, total, words;
  for (const s of Object.values(sites)) {
    const r = s.resync;
    if (r && r.phase && r.phase !== "done") {
      copied = r.copied_blocks;
      total = r.plan ? r.plan.blocks : undefined;
      words = r.phase + (r.plan ? ", " + r.plan.direction : "") + ": " + number(copied) + " of " + number(total)
          + " blocks" + (r.rate_bytes_s ? ", " + bytes(r.rate_bytes_s) + "/s" : "")
          + (r.eta_s !== undefined && r.eta_s !== null ? ", ETA " + duration(r.eta_s) : "");
    } else if (r && r.planned_blocks !== undefined) {
      copied = r.copied_blocks;
      total = r.planned_blocks;
      words = "copy from site " + r.source + ": " + number(copied) + " of " + number(total) + " blocks";
    } else if (state(s.protection) === "re-protecting" && !words) {
      words = s.protection;
    }
  }
  section.hidden = words === undefined;
  if (words === undefined) return;
  const percent = total ? Math.min(100, (100 * copied) / total) : 0;
  $("resync-bar").style.width = percent.toFixed(1) + "%";
  text($("resync-text"), words);
}

function drawFailover(failover) {
  const list = $("failover-timeline");
  if (!failover) {
    list.replaceChildren();
    text($("failover-text"), "none since the sites started");
    return;
  }
  const phases = failover.planned
      ? [["switchover asked", 0], ["claimed and live", failover.arbitration_ms]]
      : [["primary failed", 0], ["detected", failover.detection_ms], ["replayed", failover.replay_ms],
         ["claimed and live", failover.arbitration_ms]];
  let at = 0;
  list.replaceChildren(...phases.filter(([, ms]) => ms !== null && ms !== undefined).map(([what, ms]) => {
    at += ms;
    const li = document.createElement("li");
    li.textContent = what + (at > 0 ? " +" + at + " ms" : "");
    return li;
  }));
  const first = document.createElement("li");
  first.className = "unknown";
  first.textContent = "first client served: not reported";
  if (failover.arbitration_ms !== null) list.append(first);
  text($("failover-text"), failover.text);
}

function drawVerify(sites) {
  const lines = [];
  for (const [name, s] of Object.entries(sites)) {
    if (s.verify) lines.push("site " + name + " verifying: " + s.verify);
    if (s.last_verify) lines.push("site " + name + ": " + s.last_verify);
  }
  text($("verify-text"), lines.length ? lines.join("; ") : "none since the sites started");
}

function drawDrill(drill) {
  if (!drill) {
    return;
  }
  text($("drill-text"), drill.kind + " drill, " + drill.outcome + ", started " + drill.started.replace("T", " ")
      .replace(/\.\d+Z$/, "Z") + (drill.rto ? "; RTO " + drill.rto : ""));
  const link = $("drill-report");
  link.hidden = false;
  link.dataset.outcome = drill.outcome;
}

function draw(page) {
  const sites = page.status.sites;
  drawAlarms(page.alarms);
  drawSites(sites);
  drawQuorum(page.quorum, page.status.quorum);
  drawLink(serving(sites), page.output_hold, Date.now());
  drawResync(sites);
  drawFailover(page.failover);
  drawDrill(page.last_drill);
  drawVerify(sites);
  text($("links-text"), page.status.security.links);
}

async function poll() {
  const freshness = $("freshness");
  try {
    const response = await fetch("/pair", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    draw(await response.json());
    freshness.dataset.state = "fresh";
    text(freshness, "updated " + new Date().toLocaleTimeString("en-GB"));
  } catch (e) {
    freshness.dataset.state = "stale";
    text(freshness, "this site does not answer (" + e.message + "); showing what it said last");
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();
