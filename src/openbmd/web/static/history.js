// Run history: the run store's records, refreshed while some run is still going.
import { api, el, explain, fmt, setStatus } from "./app.js";

const table = document.querySelector("#runs-table tbody");
const status = document.getElementById("history-status");
const REFRESH_MS = 4000;
const FINAL = new Set(["done", "failed"]);

function summaryValue(run, key) {
  const summary = run.summary || {};
  return summary[key] ?? run[key];
}

function created(text) {
  if (!text) return "";
  // ISO 8601 from the store: show date and time to the second, in UTC
  return String(text).replace("T", " ").replace(/\.\d+Z?$|Z$/, "");
}

async function refresh() {
  let runs;
  try {
    runs = await api("/api/runs?limit=200");
  } catch (err) {
    setStatus(status, explain(err), "error");
    return;
  }
  setStatus(status, runs.length ? `${runs.length} run(s).` : "", "info");
  if (!runs.length) {
    table.replaceChildren(
      el(
        "tr",
        {},
        el("td", { colspan: 8, class: "muted" }, "No runs yet: start one from the ", el("a", { href: "/" }, "library"), "."),
      ),
    );
    return;
  }
  table.replaceChildren(
    ...runs.map((run) => {
      const state = run.status || "done";
      return el(
        "tr",
        { dataset: { runId: run.run_id, status: state } },
        el("th", { scope: "row" }, el("a", { class: "mono", href: `/runs/${encodeURIComponent(run.run_id)}` }, run.run_id)),
        el("td", {}, run.scenario || run.scenario_name || ""),
        el("td", {}, el("span", { class: "badge", dataset: { status: state } }, state)),
        el("td", {}, created(run.created || run.created_utc)),
        el("td", { class: "num" }, fmt(run.seed ?? run.summary?.seed)),
        el("td", { class: "num" }, fmt(summaryValue(run, "interceptors_fired"))),
        el("td", { class: "num" }, fmt(summaryValue(run, "kills"))),
        el("td", { class: "num" }, fmt(summaryValue(run, "leakers"))),
      );
    }),
  );
  if (runs.some((run) => run.status && !FINAL.has(run.status))) {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
