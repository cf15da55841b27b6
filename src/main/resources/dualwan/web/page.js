// dualwan status page: live over server-sent events (/events), no external assets. Text goes in with
// textContent only, never as HTML, so names and reasons from the state cannot inject markup.
"use strict";

const HOUR_MS = 3600 * 1000;
const COLORS = ["#0969da", "#bf3989", "#1a7f37", "#bc4c00", "#8250df", "#0a7b83", "#9a6700", "#57606a"];
const page = { info: null, update: null, history: [], token: null, lastEvent: 0 };

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c === null || c === undefined ? "" : c);
  return e;
}

function fmt(v, digits, unit) {
  return v === null || v === undefined ? "–" : v.toFixed(digits) + unit;
}

function ago(iso) {
  if (!iso) return "";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 90) return s + " s ago";
  if (s < 5400) return Math.round(s / 60) + " min ago";
  if (s < 172800) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " days ago";
}

function clock(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

function renderHeader(s) {
  $("active").textContent = s.active || "none";
  const mode = $("mode");
  mode.textContent = s.mode === "auto" ? "auto" : "forced: " + s.mode;
  mode.className = s.mode === "auto" ? "badge" : "badge forced";
  $("reason").textContent = s.reason;
  $("since").textContent = "since " + clock(s.active_since) + " (" + ago(s.active_since) + ")";
  $("switch-count").textContent = s.switches + (s.switches === 1 ? " switch" : " switches") + " since start";
  document.title = (s.active || "none") + " · dualwan";
}

// IPv6 (only when the config has it): which uplink carries it, or that clients fall back to IPv4 at once.
function renderIpv6(s) {
  const six = s.ipv6;
  $("ipv6").hidden = !six;
  if (!six) return;
  const since = " · since " + clock(six.since) + " (" + ago(six.since) + ")";
  if (six.unreachable) {
    $("ipv6").replaceChildren(el("strong", {}, "IPv6 unreachable: clients use IPv4"), " · " + six.reason + since);
  } else {
    $("ipv6").replaceChildren("IPv6 goes through ", el("strong", { id: "active6" }, six.active || "none"),
      " · " + six.reason + since);
  }
}

// Table rows of an uplink's targets: its gateway (when known), then its hosts.
function targetRows(rows, u) {
  if (u.gateway) {
    rows.append(el("tr", {}, el("td", {}, "gateway " + u.gateway),
      el("td", { class: "state-" + (u.gateway_state || "unknown") }, u.gateway_state || "not probed"),
      el("td", { class: "num" }, ""), el("td", { class: "num" }, "")));
  }
  for (const [ip, h] of Object.entries(u.hosts)) {
    rows.append(el("tr", {}, el("td", {}, ip), el("td", { class: "state-" + h.state }, h.state),
      el("td", { class: "num" }, fmt(h.rtt_ms, 1, " ms")), el("td", { class: "num" }, fmt(h.loss_pct, 0, " %"))));
  }
}

function renderUplinks(s) {
  const box = $("uplinks");
  box.replaceChildren();
  for (const [name, u] of Object.entries(s.wans)) {
    const title = el("h3", {}, name, el("span", { class: "tag state-" + u.state }, u.state));
    if (name === s.active) title.append(el("span", { class: "tag" }, "active"));
    const u6 = s.ipv6 ? s.ipv6.wans[name] : undefined;
    if (u6) title.append(el("span", { class: "tag state-" + u.state6 }, "IPv6 " + u.state6));
    if (u6 && name === s.ipv6.active) title.append(el("span", { class: "tag" }, "IPv6 active"));
    if (u.confirming) title.append(el("span", { class: "tag" }, "confirming a miss"));
    const rows = el("tbody");
    targetRows(rows, u);
    if (u6) targetRows(rows, u6);
    const six = !s.ipv6 ? "" : el("div", { class: "muted", id: "wan6-" + name }, !u6 ? "no IPv6 on this uplink"
      : "IPv6 " + u6.state + ": " + u6.reason + " · address " + (u6.address || "none") + " · RTT "
        + fmt(u6.latency_ms, 1, " ms") + " · loss " + fmt(u6.loss_pct, 0, " %"));
    const table = el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "target"), el("th", {}, "state"),
      el("th", { class: "num" }, "RTT"), el("th", { class: "num" }, "loss"))), rows);
    box.append(el("div", { class: "card " + u.state, id: "wan-" + name }, title,
      el("div", { class: "reason" }, u.reason),
      el("div", { class: "muted" }, (u.carrier ? "carrier" : "no carrier") + " · address " + (u.address || "none")
        + " · since " + ago(u.since)),
      el("div", { class: "muted" }, "RTT " + fmt(u.latency_ms, 1, " ms") + " · loss " + fmt(u.loss_pct, 0, " %")),
      six, table));
  }
}

function renderSwitches(list) {
  const box = $("switches");
  box.replaceChildren();
  if (list.length === 0) box.append(el("li", { class: "muted" }, "none since start"));
  for (const e of list) {
    box.append(el("li", {}, el("strong", {}, (e.from || "none") + " → " + (e.to || "none")), " ",
      el("span", { class: "muted" }, clock(e.at) + " (" + ago(e.at) + ")"), " ", e.reason));
  }
}

function renderPanel(s) {
  const panel = s.panel;
  $("panel-section").hidden = !panel;
  if (!panel) return;
  const box = $("panel");
  box.replaceChildren();
  for (const [name, led] of Object.entries(panel.leds || {})) {
    box.append(el("span", { class: "led " + led, title: led }, el("b"), name + ": " + led));
  }
  if (panel.last_gesture) {
    const g = panel.last_gesture;
    box.append(el("span", { class: "muted" }, "button: " + g.gesture + " press " + ago(g.at) + ", mode "
      + g.mode_before + " → " + g.mode));
  }
}

function renderRest(s) {
  const c = s.conntrack;
  $("conntrack").textContent = "flush setting " + c.flush + ": " + c.flushes + " flushes, " + c.deleted
    + " entries deleted since start";
  const k = s.kernel;
  $("kernel").textContent = "kernel " + k.state.replace("_", " ") + (k.last_error ? " (last error: "
    + k.last_error + ")" : "");
  const m = s.mqtt;
  $("mqtt").hidden = !m;
  if (m) $("mqtt").textContent = "MQTT " + (m.connected ? "connected to " : "not connected to ") + m.broker;
}

// The chart: RTT (top) and loss (bottom) per uplink, the last hour, from the points the server keeps.
function renderChart() {
  const names = page.info.uplinks;
  const now = Date.now();
  const points = page.history.filter((p) => p.at > now - HOUR_MS);
  const W = 900, H = 300, L = 44, R = 8, rttH = 170, lossTop = 200, lossH = 80;
  const x = (t) => L + (W - L - R) * (1 - (now - t) / HOUR_MS);
  let maxRtt = 10;
  for (const p of points) for (const n of names) maxRtt = Math.max(maxRtt, (p.wans[n] || {}).rtt_ms || 0);
  maxRtt = niceCeil(maxRtt);
  const svgNs = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "RTT and loss per uplink over the last hour");
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(svgNs, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
  };
  for (const [frac, label] of [[0, maxRtt + " ms"], [0.5, maxRtt / 2 + " ms"], [1, "0"]]) {
    const y = 10 + rttH * frac;
    add("line", { x1: L, x2: W - R, y1: y, y2: y, class: "grid" });
    add("text", { x: L - 4, y: y + 4, "text-anchor": "end" }, label);
  }
  for (const [frac, label] of [[0, "100 %"], [1, "0 %"]]) {
    const y = lossTop + lossH * frac;
    add("line", { x1: L, x2: W - R, y1: y, y2: y, class: "grid" });
    add("text", { x: L - 4, y: y + 4, "text-anchor": "end" }, label);
  }
  add("text", { x: L, y: lossTop - 6 }, "loss");
  add("text", { x: L, y: H - 4 }, "60 min ago");
  add("text", { x: (L + W) / 2, y: H - 4, "text-anchor": "middle" }, "30 min");
  add("text", { x: W - R, y: H - 4, "text-anchor": "end" }, "now");
  names.forEach((n, i) => {
    const color = COLORS[i % COLORS.length];
    for (const line of segments(points, n, "rtt_ms", (v) => 10 + rttH * (1 - v / maxRtt), x)) {
      add("polyline", { points: line, stroke: color, "data-uplink": n, "data-figure": "rtt" });
    }
    for (const line of segments(points, n, "loss_pct", (v) => lossTop + lossH * (1 - v / 100), x)) {
      add("polyline", { points: line, stroke: color, "data-uplink": n, "data-figure": "loss" });
    }
  });
  if (points.length === 0) add("text", { x: W / 2, y: 100, "text-anchor": "middle" }, "collecting: one point every 10 s");
  $("chart").replaceChildren(svg);
  $("legend").replaceChildren(...names.map((n, i) => el("span", {}, legendMark(COLORS[i % COLORS.length]), n)));
}

function legendMark(color) {
  const i = el("i");
  i.style.background = color;
  return i;
}

// Polylines of one figure, broken where the uplink had no value (nothing answered) or points are missing.
function segments(points, name, key, y, x) {
  const out = [];
  let cur = [];
  let last = null;
  for (const p of points) {
    const v = (p.wans[name] || {})[key];
    const gap = last !== null && p.at - last > 25000;
    if (v === null || v === undefined || gap) {
      if (cur.length > 1) out.push(cur.join(" "));
      cur = [];
    }
    if (v !== null && v !== undefined) cur.push(x(p.at).toFixed(1) + "," + y(v).toFixed(1));
    last = p.at;
  }
  if (cur.length > 1) out.push(cur.join(" "));
  return out;
}

function niceCeil(v) {
  const step = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * step) return m * step;
  return 10 * step;
}

function apply(update) {
  if (!update) return;
  page.update = update;
  if (update.point) {
    const last = page.history[page.history.length - 1];
    if (!last || update.point.at > last.at) page.history.push(update.point);
    while (page.history.length > 0 && page.history[0].at <= Date.now() - HOUR_MS) page.history.shift();
  }
  const s = update.state;
  renderHeader(s);
  renderIpv6(s);
  renderUplinks(s);
  renderSwitches(update.switches);
  renderPanel(s);
  renderRest(s);
  renderChart();
  renderControl();
}

// Mode control: buttons after a login when the server has a password, else a read-only note.
function renderControl() {
  const allowed = !!(page.info && page.info.mode_changes);
  $("readonly").hidden = !page.info || allowed;
  $("login").hidden = !allowed || page.token !== null;
  $("modes").hidden = !allowed || page.token === null;
  if (!allowed || page.token === null || !page.update) return;
  const current = page.update.state.mode;
  $("mode-buttons").replaceChildren(...["auto", ...page.info.uplinks].map((m) => {
    const b = el("button", { type: "button", id: "mode-" + m, class: m === current ? "current" : "" },
      m === "auto" ? "auto" : "force " + m);
    b.addEventListener("click", () => setMode(m));
    return b;
  }));
}

async function post(path, body) {
  const headers = { "Content-Type": "application/json" };
  if (page.token) headers["X-CSRF-Token"] = page.token;
  const r = await fetch(path, { method: "POST", headers, body: JSON.stringify(body), credentials: "same-origin" });
  const text = await r.text();
  return { ok: r.ok, status: r.status, text };
}

async function setMode(m) {
  $("control-msg").textContent = "asking for mode " + m + "…";
  const r = await post("/api/mode", { mode: m });
  if (r.ok) {
    const res = JSON.parse(r.text);
    $("control-msg").textContent = "mode " + res.mode + ": active " + (res.active || "none") + " (" + res.reason + ")";
  } else {
    if (r.status === 401) page.token = null;
    $("control-msg").textContent = "refused (" + r.status + "): " + r.text.trim();
    renderControl();
  }
}

async function login(ev) {
  ev.preventDefault();
  const r = await post("/api/login", { password: $("password").value });
  $("password").value = "";
  if (r.ok) {
    page.token = JSON.parse(r.text).token;
    $("control-msg").textContent = "logged in";
  } else {
    $("control-msg").textContent = "login refused (" + r.status + "): " + r.text.trim();
  }
  renderControl();
}

async function logout() {
  await post("/api/logout", {});
  page.token = null;
  $("control-msg").textContent = "logged out";
  renderControl();
}

async function start() {
  $("login").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  try {
    const s = await (await fetch("/api/session", { credentials: "same-origin" })).json();
    page.token = s.token;
  } catch (e) {
    page.token = null;
  }
  const events = new EventSource("/events");
  events.addEventListener("hello", (e) => {
    const hello = JSON.parse(e.data);
    page.info = hello;
    page.history = hello.history;
    $("version").textContent = hello.version;
    $("conn").textContent = "live";
    renderControl();
    apply(hello.update);
  });
  events.addEventListener("update", (e) => {
    page.lastEvent = Date.now();
    apply(JSON.parse(e.data));
  });
  events.onerror = () => { $("conn").textContent = "connection lost, reconnecting…"; };
  events.onopen = () => { $("conn").textContent = "live"; };
  setInterval(() => { if (page.update) { renderHeader(page.update.state); renderSwitches(page.update.switches); } },
    10000);
}

start();
