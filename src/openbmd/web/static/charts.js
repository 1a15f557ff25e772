// Hand-written SVG charts of a run: altitude against downrange, and the engagement timeline.
// Data: GET /api/runs/{id}/charts -> {trajectories, timeline, intercepts}.

const SVG = "http://www.w3.org/2000/svg";

/** Colours by object kind (the same as the run's CZML scene). */
export const KIND_COLORS = {
  "reentry-vehicle": "#c62828",
  "rocket-body": "#757575",
  interceptor: "#1565c0",
};

/** Timeline rows in engagement order; other kinds follow in the order they appear. */
export const TIMELINE_ROWS = [
  ["launch", "Threat launch", "#6d4c41"],
  ["cue", "Early-warning cue", "#8d6e63"],
  ["detection", "Detection", "#7b1fa2"],
  ["firm-track", "Firm track", "#303f9f"],
  ["launch-decision", "Launch decision", "#00838f"],
  ["interceptor-launch", "Interceptor launch", "#1565c0"],
  ["intercept", "Intercept", "#f9a825"],
  ["kill-assessment", "Kill assessment", "#2e7d32"],
  ["leaker", "Leaker", "#d50000"],
  ["impact", "Impact", "#424242"],
];

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function title(text) {
  return svg("title", {}, text);
}

/** Round axis ticks covering [lo, hi]: about `count` of them at 1, 2 or 5 x 10^k. */
export function niceTicks(lo, hi, count = 6) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
  const ticks = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

function finitePairs(xs, ys) {
  const out = [];
  const n = Math.min(xs?.length || 0, ys?.length || 0);
  for (let i = 0; i < n; i += 1) {
    const x = xs[i];
    const y = ys[i];
    if (Number.isFinite(x) && Number.isFinite(y)) out.push([x, y]);
  }
  return out;
}

function axes(plot, xTicks, yTicks, sx, sy, labels) {
  const { left, top, width, height } = plot;
  const group = svg("g", { class: "axes" });
  for (const t of xTicks) {
    const x = sx(t);
    group.append(
      svg("line", { x1: x, x2: x, y1: top, y2: top + height, class: "grid" }),
      svg("text", { x, y: top + height + 18, "text-anchor": "middle", class: "tick" }, String(t)),
    );
  }
  for (const t of yTicks) {
    const y = sy(t);
    group.append(
      svg("line", { x1: left, x2: left + width, y1: y, y2: y, class: "grid" }),
      svg("text", { x: left - 8, y: y + 4, "text-anchor": "end", class: "tick" }, String(t)),
    );
  }
  group.append(
    svg("rect", { x: left, y: top, width, height, class: "frame" }),
    svg("text", { x: left + width / 2, y: top + height + 40, "text-anchor": "middle", class: "axis-label" }, labels.x),
  );
  if (labels.y) {
    const cx = left - 48;
    const cy = top + height / 2;
    group.append(
      svg("text", { x: cx, y: cy, transform: `rotate(-90 ${cx} ${cy})`, "text-anchor": "middle", class: "axis-label" }, labels.y),
    );
  }
  return group;
}

/**
 * Altitude (km) against downrange (km) per object, with intercept markers
 * (<g data-kind="intercept">). Sets data-intercepts and data-objects on the container.
 */
export function drawAltitudeChart(container, data) {
  const trajectories = (data.trajectories || [])
    .map((t) => ({ ...t, points: finitePairs(t.downrange_km, t.alt_km) }))
    .filter((t) => t.points.length);
  const intercepts = (data.intercepts || []).filter(
    (p) => Number.isFinite(p.downrange_km) && Number.isFinite(p.alt_km),
  );
  container.dataset.intercepts = String(intercepts.length);
  container.dataset.objects = String(trajectories.length);
  if (!trajectories.length) {
    container.replaceChildren(Object.assign(document.createElement("p"), { className: "muted", textContent: "No trajectories in this run." }));
    return;
  }
  const W = 860;
  const H = 380;
  const plot = { left: 70, top: 16, width: W - 70 - 20, height: H - 16 - 56 };
  let xMax = 0;
  let yMax = 0;
  for (const t of trajectories) for (const [x, y] of t.points) {
    xMax = Math.max(xMax, x);
    yMax = Math.max(yMax, y);
  }
  for (const p of intercepts) {
    xMax = Math.max(xMax, p.downrange_km);
    yMax = Math.max(yMax, p.alt_km);
  }
  const xTicks = niceTicks(0, xMax || 1);
  const yTicks = niceTicks(0, (yMax || 1) * 1.05);
  const xHi = xTicks[xTicks.length - 1];
  const yHi = yTicks[yTicks.length - 1];
  const sx = (x) => plot.left + (x / xHi) * plot.width;
  const sy = (y) => plot.top + plot.height - (Math.max(y, 0) / yHi) * plot.height;

  const root = svg(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "altitude-caption", class: "chart-svg" },
    axes(plot, xTicks, yTicks, sx, sy, { x: "Downrange (km)", y: "Altitude (km)" }),
  );
  const lines = svg("g", { class: "series" });
  for (const t of trajectories) {
    const d = t.points.map(([x, y], i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
    lines.append(
      svg(
        "path",
        {
          d,
          fill: "none",
          stroke: KIND_COLORS[t.kind] || "#000",
          "stroke-width": t.kind === "rocket-body" ? 1.5 : 2,
          "stroke-dasharray": t.kind === "rocket-body" ? "6 4" : null,
          "data-kind": t.kind,
          "data-object": t.object_id,
        },
        title(`${t.object_id} (${t.kind}${t.threat_id ? `, threat ${t.threat_id}` : ""})`),
      ),
    );
  }
  root.append(lines);
  const marks = svg("g", { class: "intercepts" });
  for (const p of intercepts) {
    const x = sx(p.downrange_km);
    const y = sy(p.alt_km);
    marks.append(
      svg(
        "g",
        { "data-kind": "intercept", "data-object": p.object_id, tabindex: 0, role: "img",
          "aria-label": `Intercept of ${p.object_id} at ${p.time_s.toFixed(1)} s, ${p.alt_km.toFixed(1)} km altitude` },
        title(`intercept of ${p.object_id} at t = ${p.time_s.toFixed(1)} s: ${p.alt_km.toFixed(1)} km altitude, ${p.downrange_km.toFixed(1)} km downrange${p.detail ? `; ${p.detail}` : ""}`),
        svg("circle", { cx: x, cy: y, r: 9, fill: "none", stroke: "#f9a825", "stroke-width": 3 }),
        svg("path", { d: `M${x - 6},${y - 6}L${x + 6},${y + 6}M${x - 6},${y + 6}L${x + 6},${y - 6}`, stroke: "#212121", "stroke-width": 2 }),
      ),
    );
  }
  root.append(marks);
  container.replaceChildren(root, legend(trajectories, intercepts.length));
}

function legend(trajectories, interceptCount) {
  const kinds = [...new Set(trajectories.map((t) => t.kind))];
  const list = document.createElement("ul");
  list.className = "legend";
  for (const kind of kinds) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = `swatch${kind === "rocket-body" ? " dashed" : ""}`;
    swatch.style.borderColor = KIND_COLORS[kind] || "#000";
    item.append(swatch, kind.replace(/-/g, " "));
    list.append(item);
  }
  if (interceptCount) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch marker";
    item.append(swatch, `intercept (${interceptCount})`);
    list.append(item);
  }
  return list;
}

/**
 * Engagement timeline: one row per event kind (launch … kill assessment, leaker/impact),
 * one marker per event at its time. Rows are <g data-kind=KIND data-count=N>.
 */
export function drawTimeline(container, data) {
  const events = (data.timeline || []).filter((e) => Number.isFinite(e.time_s));
  if (!events.length) {
    container.replaceChildren(Object.assign(document.createElement("p"), { className: "muted", textContent: "No events in this run." }));
    return;
  }
  const known = new Map(TIMELINE_ROWS.map(([kind, label, color]) => [kind, { label, color }]));
  const present = new Set(events.map((e) => e.kind));
  const rows = TIMELINE_ROWS.filter(([kind]) => present.has(kind)).map(([kind]) => kind);
  for (const e of events) if (!rows.includes(e.kind)) rows.push(e.kind);

  const rowH = 30;
  const W = 860;
  const plot = { left: 150, top: 10, width: W - 150 - 20, height: rows.length * rowH };
  const H = plot.top + plot.height + 56;
  const tMin = Math.min(...events.map((e) => e.time_s));
  const tMax = Math.max(...events.map((e) => e.time_s));
  const ticks = niceTicks(Math.max(0, tMin - 0.02 * (tMax - tMin + 1)), tMax + 0.02 * (tMax - tMin + 1));
  const t0 = ticks[0];
  const t1 = ticks[ticks.length - 1];
  const sx = (t) => plot.left + ((t - t0) / (t1 - t0)) * plot.width;
  const sy = (i) => plot.top + i * rowH + rowH / 2;

  const root = svg(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "timeline-caption", class: "chart-svg" },
    axes(plot, ticks, [], sx, () => 0, { x: "Time after the scenario epoch (s)" }),
  );
  rows.forEach((kind, i) => {
    const style = known.get(kind) || { label: kind, color: "#455a64" };
    const mine = events.filter((e) => e.kind === kind);
    const row = svg(
      "g",
      { class: "timeline-row", "data-kind": kind, "data-count": mine.length },
      svg("line", { x1: plot.left, x2: plot.left + plot.width, y1: sy(i), y2: sy(i), class: "row-rule" }),
      svg("text", { x: plot.left - 10, y: sy(i) + 4, "text-anchor": "end", class: "row-label" }, style.label),
    );
    for (const e of mine) {
      const who = [e.object_id, e.sensor_id, e.site_id, e.interceptor_id].filter(Boolean).join(", ");
      row.append(
        svg(
          "circle",
          { cx: sx(e.time_s), cy: sy(i), r: 6, fill: style.color, stroke: "#fff", "stroke-width": 1.5, "data-kind": kind },
          title(`${style.label} at t = ${e.time_s.toFixed(1)} s${who ? ` (${who})` : ""}${e.detail ? `: ${e.detail}` : ""}`),
        ),
      );
    }
    root.append(row);
  });
  container.replaceChildren(root);
}

/** The timeline as an accessible table: one row per event with every identifier. */
export function eventsTable(data) {
  const table = document.createElement("table");
  table.className = "data-table compact";
  const head = table.createTHead().insertRow();
  for (const h of ["Time (s)", "Event", "Threat", "Object", "Sensor", "Site", "Interceptor", "Detail"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  for (const e of data.timeline || []) {
    const row = body.insertRow();
    row.dataset.kind = e.kind;
    const time = Number.isFinite(e.time_s) ? e.time_s.toFixed(1) : "";
    const cells = [time, e.kind, e.threat_id, e.object_id, e.sensor_id, e.site_id, e.interceptor_id, e.detail];
    cells.forEach((value, i) => {
      const cell = row.insertCell();
      cell.textContent = value ?? "";
      if (i === 0) cell.className = "num";
    });
  }
  return table;
}
