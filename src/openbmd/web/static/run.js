// Run view: progress by server-sent events, then summary, globe, charts, footprint, files.
import { api, el, explain, fmt, fmtBytes, setStatus } from "./app.js";
import { drawAltitudeChart, drawTimeline, eventsTable } from "./charts.js";

const view = document.getElementById("run-view");
const runId = view.dataset.runId;
const base = `/api/runs/${encodeURIComponent(runId)}`;
const ui = {
  status: document.getElementById("run-status"),
  progress: document.getElementById("run-progress"),
  stage: document.getElementById("run-stage"),
  error: document.getElementById("run-error"),
  scenario: document.getElementById("run-scenario"),
  summarySection: document.getElementById("summary-section"),
  summary: document.getElementById("run-summary"),
  globe: document.getElementById("globe"),
  altitude: document.getElementById("altitude-chart"),
  timeline: document.getElementById("timeline-chart"),
  eventsBox: document.getElementById("events-table-box"),
  footprintSection: document.getElementById("footprint-section"),
  footprint: document.getElementById("footprint-box"),
  downloads: document.getElementById("downloads"),
};

/** Summary entries shown first, with their labels. */
const SUMMARY_KEYS = [
  ["scenario", "Scenario"],
  ["seed", "Seed"],
  ["missiles", "Missiles"],
  ["objects", "Objects tracked"],
  ["detections", "Detections"],
  ["firm_tracks_rv", "Firm tracks (RV)"],
  ["mean_time_to_firm_track_s", "Mean time to firm track (s)"],
  ["engageable_rv", "Engageable RVs"],
  ["interceptors_fired", "Interceptors fired"],
  ["kills", "Kills"],
  ["leakers", "Leakers"],
  ["inventory_left", "Inventory left"],
];
/** Download entries: how to describe a run file, by name or extension. */
const FILE_KINDS = [
  [/^scene\.czml$/, "CZML scene (Cesium)"],
  [/^scene\.kml$/, "KML scene (Google Earth)"],
  [/\.nc$/, "NetCDF"],
  [/\.parquet$/, "Parquet table"],
  [/^report\.html$/, "Report"],
  [/\.json$/, "JSON"],
  [/\.ya?ml$/, "Scenario (YAML)"],
  [/\.png$/, "Figure (PNG)"],
];
const FILE_ORDER = ["report.html", "scene.czml", "scene.kml"];

let finished = false;

function setProgress(status, { stage, index, total } = {}) {
  ui.status.textContent = status;
  ui.status.dataset.status = status;
  view.dataset.status = status;
  if (status === "done") {
    ui.progress.value = 1;
    ui.stage.textContent = "Done";
  } else if (status === "failed") {
    ui.stage.textContent = "Failed";
  } else if (status === "queued") {
    ui.progress.removeAttribute("value"); // indeterminate while waiting
    ui.stage.textContent = "Waiting in the queue…";
  } else if (stage) {
    const n = Number(total) || 1;
    const i = Number.isInteger(index) ? index : 0;
    ui.progress.value = Math.min(i / n, 1);
    ui.stage.textContent = `Stage ${i + 1} of ${n}: ${stage}`;
  }
}

function showError(text) {
  ui.error.hidden = false;
  ui.error.textContent = text;
}

// ---- progress ---------------------------------------------------------------------

function follow() {
  const source = new EventSource(`${base}/progress`);
  source.addEventListener("stage", (event) => {
    setProgress("running", JSON.parse(event.data));
  });
  source.addEventListener("done", (event) => {
    source.close();
    const data = JSON.parse(event.data);
    finish("done", data.summary);
  });
  source.addEventListener("failed", (event) => {
    source.close();
    const data = JSON.parse(event.data);
    finish("failed", null, data.error);
  });
  source.onerror = () => {
    if (finished) return;
    // the browser retries by itself; if it gave up, ask for the run's state instead
    if (source.readyState === EventSource.CLOSED) setTimeout(poll, 2000);
  };
}

async function poll() {
  if (finished) return;
  try {
    const run = await api(base);
    if (run.status === "done" || run.status === "failed") {
      finish(run.status, run.summary, run.error);
    } else {
      follow();
    }
  } catch (err) {
    showError(explain(err));
    setTimeout(poll, 5000);
  }
}

async function start() {
  let run;
  try {
    run = await api(base);
  } catch (err) {
    setProgress("unknown");
    ui.stage.textContent = "";
    showError(explain(err));
    return;
  }
  ui.scenario.textContent = run.scenario ? `· ${run.scenario}` : "";
  if (run.status === "done" || run.status === "failed") {
    finish(run.status, run.summary, run.error);
    return;
  }
  setProgress(run.status, { stage: run.stage, index: run.stage_index, total: run.stages });
  follow();
}

function finish(status, summary, error) {
  if (finished) return;
  finished = true;
  setProgress(status);
  if (status === "failed") {
    showError(`The run failed: ${error || "no reason given"}`);
  }
  if (summary && Object.keys(summary).length) showSummary(summary);
  if (status === "done") loadResults();
}

// ---- results ----------------------------------------------------------------------

function showSummary(summary) {
  if (summary.scenario && !ui.scenario.textContent) ui.scenario.textContent = `· ${summary.scenario}`;
  const entries = [];
  for (const [key, label] of SUMMARY_KEYS) {
    if (summary[key] !== undefined && summary[key] !== null && typeof summary[key] !== "object") {
      entries.push(el("div", { dataset: { key } }, el("dt", {}, label), el("dd", {}, fmt(summary[key]))));
    }
  }
  ui.summary.replaceChildren(...entries);
  ui.summarySection.hidden = entries.length === 0;
}

async function loadResults() {
  let files = [];
  try {
    files = await api(`${base}/files`);
  } catch (err) {
    ui.downloads.replaceChildren(el("li", { class: "error-text" }, explain(err)));
  }
  const names = new Set(files.map((f) => f.name));
  showDownloads(files);
  await Promise.all([showCharts(), showFootprint(files), showScene(names)]);
}

function fileUrl(name) {
  return `${base}/files/${encodeURIComponent(name)}`;
}

function describe(name) {
  const match = FILE_KINDS.find(([pattern]) => pattern.test(name));
  return match ? match[1] : "File";
}

function showDownloads(files) {
  if (!files.length) {
    ui.downloads.replaceChildren(el("li", { class: "muted" }, "This run folder has no files."));
    return;
  }
  const rank = (name) => {
    const i = FILE_ORDER.indexOf(name);
    return i >= 0 ? i : FILE_ORDER.length + FILE_KINDS.findIndex(([p]) => p.test(name)) + 1;
  };
  const sorted = [...files].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  ui.downloads.replaceChildren(
    ...sorted.map((f) => {
      const isReport = f.name === "report.html";
      return el(
        "li",
        { dataset: { file: f.name } },
        el(
          "a",
          isReport
            ? { href: fileUrl(f.name), target: "_blank", rel: "noopener" }
            : { href: fileUrl(f.name), download: f.name },
          f.name,
        ),
        el("span", { class: "file-kind" }, describe(f.name)),
        el("span", { class: "file-size" }, fmtBytes(f.size)),
      );
    }),
  );
}

async function showCharts() {
  let data;
  try {
    data = await api(`${base}/charts`);
  } catch (err) {
    const message = el("p", { class: "error-text" }, `Charts unavailable: ${explain(err)}`);
    ui.altitude.replaceChildren(message);
    ui.timeline.replaceChildren(message.cloneNode(true));
    return;
  }
  drawAltitudeChart(ui.altitude, data);
  drawTimeline(ui.timeline, data);
  ui.eventsBox.replaceChildren(eventsTable(data));
}

/** The footprint map (PNG), its grid (NetCDF) and the grid's shape, when the run has one. */
async function showFootprint(files) {
  let info = null;
  try {
    info = await api(`${base}/footprint`);
  } catch {
    info = null; // 404: the run has no footprint
  }
  const names = new Set(files.map((f) => f.name));
  const png = info?.png || [...names].find((n) => /^footprint.*\.png$/.test(n));
  const netcdf = info?.netcdf || [...names].find((n) => /^footprint.*\.nc$/.test(n));
  if (!png && !netcdf) return;
  const parts = [];
  if (png) {
    parts.push(el("img", { src: fileUrl(png), alt: "Map of the defended footprint of this run", class: "footprint-map" }));
  }
  const grid = info?.grid;
  if (grid && grid.dims) {
    const dims = Object.entries(grid.dims).map(([k, v]) => `${k} ${v}`).join(" × ");
    const variables = Object.entries(grid.variables || {}).map(([k, v]) =>
      el("li", {}, el("code", {}, k), v.long_name ? ` — ${v.long_name}` : "", v.units ? ` (${v.units})` : ""),
    );
    parts.push(el("p", {}, `Grid: ${dims}.`), el("ul", { class: "variables" }, ...variables));
  }
  if (netcdf) parts.push(el("p", {}, el("a", { href: fileUrl(netcdf), download: netcdf }, netcdf), " (NetCDF grid)"));
  ui.footprint.replaceChildren(...parts);
  ui.footprintSection.hidden = false;
}

async function showScene(names) {
  if (view.dataset.cesium !== "yes") return;
  if (!names.has("scene.czml")) {
    ui.globe.dataset.state = "no-scene";
    ui.globe.replaceChildren(el("p", { class: "globe-note" }, "This run has no scene.czml to show."));
    return;
  }
  const { showGlobe } = await import("./globe.js");
  await showGlobe(ui.globe, fileUrl("scene.czml"));
}

start();
