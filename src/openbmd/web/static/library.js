// Scenario library: list built-in and uploaded scenarios, run one, upload a file.
import { api, el, explain, seedFrom, setStatus, startRun } from "./app.js";

const table = document.querySelector("#scenario-table tbody");
const status = document.getElementById("library-status");
const seedInput = document.getElementById("seed");
const uploadForm = document.getElementById("upload-form");
const uploadStatus = document.getElementById("upload-status");
const uploadErrors = document.getElementById("upload-errors");

async function loadScenarios() {
  try {
    const scenarios = await api("/api/scenarios");
    renderScenarios(scenarios);
  } catch (err) {
    table.replaceChildren(el("tr", {}, el("td", { colspan: 4 }, "Cannot list scenarios.")));
    setStatus(status, explain(err), "error");
  }
}

function actions(name) {
  const run = el(
    "button",
    { type: "button", class: "button primary", "aria-label": `Run ${name}`, dataset: { action: "run", name } },
    "Run",
  );
  const edit = el(
    "a",
    { class: "button", href: `/editor?name=${encodeURIComponent(name)}`, "aria-label": `Open ${name} in the editor` },
    "Edit",
  );
  return el("div", { class: "actions" }, run, edit);
}

function renderScenarios(scenarios) {
  if (!scenarios.length) {
    table.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "muted" }, "No scenarios.")));
    return;
  }
  const rows = scenarios.map((s) =>
    el(
      "tr",
      { dataset: { scenario: s.name, origin: s.origin } },
      el("th", { scope: "row", class: "mono" }, s.name),
      el("td", {}, s.description || ""),
      el("td", {}, el("span", { class: `badge origin-${s.origin}` }, s.origin)),
      el("td", {}, actions(s.name)),
    ),
  );
  table.replaceChildren(...rows);
}

table.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action='run']");
  if (!button) return;
  button.disabled = true;
  try {
    setStatus(status, `Starting ${button.dataset.name}…`);
    await startRun(button.dataset.name, seedFrom(seedInput));
  } catch (err) {
    setStatus(status, explain(err), "error");
    button.disabled = false;
  }
});

uploadForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  uploadErrors.replaceChildren();
  const file = document.getElementById("upload-file").files[0];
  if (!file) {
    setStatus(uploadStatus, "Choose a YAML file first.", "error");
    return;
  }
  const form = new FormData();
  form.append("file", file, file.name);
  setStatus(uploadStatus, `Uploading ${file.name}…`);
  try {
    const saved = await api("/api/scenarios", { method: "POST", body: form });
    setStatus(uploadStatus, `Uploaded scenario ${saved.name}.`, "ok");
    uploadForm.reset();
    await loadScenarios();
  } catch (err) {
    const errors = (err.body && err.body.errors) || [];
    const n = errors.length;
    const why = n ? `${n} problem${n === 1 ? "" : "s"} found` : explain(err);
    setStatus(uploadStatus, `${file.name} was not saved: ${why.replace(/\.$/, "")}.`, "error");
    uploadErrors.replaceChildren(
      ...errors.map((e) =>
        el(
          "li",
          { dataset: { line: e.line ?? "" } },
          e.line ? `line ${e.line}: ` : "",
          e.field ? el("code", {}, e.field) : "",
          e.field ? ": " : "",
          e.message,
        ),
      ),
    );
  }
});

loadScenarios();
