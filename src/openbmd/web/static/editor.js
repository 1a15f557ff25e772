// Scenario editor: a textarea with line numbers; validation errors marked at their line.
import { api, ApiError, el, explain, setStatus, startRun } from "./app.js";

const text = document.getElementById("yaml-text");
const gutter = document.getElementById("editor-gutter");
const highlights = document.getElementById("editor-highlights");
const picker = document.getElementById("open-scenario");
const fileInput = document.getElementById("open-file");
const status = document.getElementById("editor-status");
const errorList = document.getElementById("editor-errors");
const buttons = {
  validate: document.getElementById("validate-button"),
  save: document.getElementById("save-button"),
  run: document.getElementById("run-button"),
};

const AUTO_VALIDATE_MS = 800;
/** What the server holds: {name, origin, yaml} of the opened scenario, if any. */
let opened = null;
let autoTimer = null;
let generation = 0; // drops answers to validations of older text

// ---- line numbers and marks -------------------------------------------------------

function lineCount() {
  return text.value.split("\n").length;
}

function renderGutter(bad = new Map()) {
  const n = lineCount();
  const numbers = [];
  const bands = [];
  for (let i = 1; i <= n; i += 1) {
    const problem = bad.get(i);
    numbers.push(
      el("span", { class: problem ? "line-no bad" : "line-no", dataset: { line: i }, title: problem || null }, i),
    );
    bands.push(el("div", { class: problem ? "band bad" : "band", dataset: { line: i } }, " "));
  }
  gutter.replaceChildren(...numbers);
  highlights.replaceChildren(...bands);
  syncScroll();
}

function syncScroll() {
  gutter.scrollTop = text.scrollTop;
  highlights.style.transform = `translate(${-text.scrollLeft}px, ${-text.scrollTop}px)`;
}

/** Put the caret at the start of a line and scroll it into view. */
function goToLine(line, column = 1) {
  const lines = text.value.split("\n");
  const target = Math.min(Math.max(line, 1), lines.length);
  let offset = 0;
  for (let i = 0; i < target - 1; i += 1) offset += lines[i].length + 1;
  offset += Math.min(Math.max((column || 1) - 1, 0), lines[target - 1].length);
  text.focus();
  text.setSelectionRange(offset, offset);
  const lineHeight = parseFloat(getComputedStyle(text).lineHeight) || 20;
  text.scrollTop = Math.max(0, (target - 3) * lineHeight);
  syncScroll();
}

// ---- showing validation results ---------------------------------------------------

function clearErrors() {
  errorList.replaceChildren();
  text.removeAttribute("aria-invalid");
  renderGutter();
}

function showErrors(errors) {
  const bad = new Map();
  for (const e of errors) {
    if (e.line) bad.set(e.line, `${e.field ? `${e.field}: ` : ""}${e.message}`);
  }
  renderGutter(bad);
  text.setAttribute("aria-invalid", "true");
  errorList.replaceChildren(
    ...errors.map((e) => {
      const where = e.line ? `line ${e.line}${e.column ? `, column ${e.column}` : ""}` : "";
      const what = [e.field ? el("code", {}, e.field) : null, e.field ? ": " : null, e.message];
      const content = e.line
        ? el(
            "button",
            { type: "button", class: "link", onclick: () => goToLine(e.line, e.column) },
            el("span", { class: "where" }, where),
            " — ",
            ...what,
          )
        : el("span", {}, ...what);
      return el("li", { dataset: { line: e.line ?? "", field: e.field ?? "" } }, content);
    }),
  );
}

/** Validate the text on the server; returns {valid, name} or {valid: false, errors}. */
async function validate({ quiet = false } = {}) {
  const mine = ++generation;
  if (!text.value.trim()) {
    clearErrors();
    if (!quiet) setStatus(status, "Nothing to validate: the editor is empty.", "error");
    return { valid: false, errors: [] };
  }
  let result;
  try {
    result = await api("/api/scenarios/validate", { method: "POST", json: { yaml: text.value } });
  } catch (err) {
    if (mine === generation) setStatus(status, explain(err), "error");
    throw err;
  }
  if (mine !== generation) return result;
  if (result.valid) {
    clearErrors();
    setStatus(status, `Valid scenario: ${result.name}.`, "ok");
  } else {
    showErrors(result.errors || []);
    const n = (result.errors || []).length;
    setStatus(status, `${n} problem${n === 1 ? "" : "s"} found.`, "error");
  }
  return result;
}

// ---- opening, saving, running -----------------------------------------------------

async function openScenario(name) {
  if (!name) {
    opened = null;
    text.value = "";
    clearErrors();
    setStatus(status, "New scenario: write YAML, or open a built-in one to start from.");
    return;
  }
  try {
    const scenario = await api(`/api/scenarios/${encodeURIComponent(name)}`);
    opened = scenario;
    text.value = scenario.yaml;
    text.scrollTop = 0;
    clearErrors();
    setStatus(status, `Opened ${scenario.origin} scenario ${scenario.name}.`, "ok");
    history.replaceState(null, "", `/editor?name=${encodeURIComponent(scenario.name)}`);
  } catch (err) {
    setStatus(status, explain(err), "error");
  }
}

async function loadPicker() {
  const initial = picker.dataset.initial;
  try {
    const scenarios = await api("/api/scenarios");
    for (const s of scenarios) {
      picker.append(el("option", { value: s.name }, `${s.name} (${s.origin})`));
    }
  } catch (err) {
    setStatus(status, explain(err), "error");
  }
  if (initial) {
    picker.value = initial;
    await openScenario(initial);
  } else {
    renderGutter();
  }
}

/** Upload the text as a scenario; returns its name, or null when it could not be saved. */
async function save() {
  const result = await validate();
  if (!result.valid) return null;
  const unchanged = opened && opened.yaml === text.value && opened.name === result.name;
  if (unchanged) {
    setStatus(status, `${result.name} is unchanged (${opened.origin}).`, "ok");
    return result.name;
  }
  try {
    const saved = await api("/api/scenarios", { method: "POST", json: { yaml: text.value } });
    opened = { name: saved.name, origin: saved.origin, yaml: text.value };
    if (![...picker.options].some((o) => o.value === saved.name)) {
      picker.append(el("option", { value: saved.name }, `${saved.name} (${saved.origin})`));
    }
    picker.value = saved.name;
    setStatus(status, `Saved scenario ${saved.name}.`, "ok");
    history.replaceState(null, "", `/editor?name=${encodeURIComponent(saved.name)}`);
    return saved.name;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      setStatus(status, `${err.detail}: change the name: field to save your own copy.`, "error");
    } else {
      setStatus(status, explain(err), "error");
      if (err.body && err.body.errors) showErrors(err.body.errors);
    }
    return null;
  }
}

async function run() {
  const name = await save();
  if (!name) return;
  setStatus(status, `Starting ${name}…`);
  try {
    await startRun(name);
  } catch (err) {
    setStatus(status, explain(err), "error");
  }
}

function busy(action) {
  return async () => {
    clearTimeout(autoTimer); // this action validates the text itself
    Object.values(buttons).forEach((b) => (b.disabled = true));
    try {
      await action();
    } catch {
      // the status line already says what went wrong
    } finally {
      Object.values(buttons).forEach((b) => (b.disabled = false));
    }
  };
}

// ---- events -----------------------------------------------------------------------

buttons.validate.addEventListener("click", busy(() => validate()));
buttons.save.addEventListener("click", busy(save));
buttons.run.addEventListener("click", busy(run));
picker.addEventListener("change", () => openScenario(picker.value));

fileInput.addEventListener("change", async () => {
  const file = fileInput.files[0];
  if (!file) return;
  text.value = await file.text();
  opened = null;
  picker.value = "";
  fileInput.value = "";
  setStatus(status, `Opened file ${file.name}; checking…`);
  renderGutter();
  try {
    await validate();
  } catch {
    // shown in the status line
  }
});

text.addEventListener("input", () => {
  renderGutter(currentMarks());
  clearTimeout(autoTimer);
  autoTimer = setTimeout(() => validate({ quiet: true }).catch(() => {}), AUTO_VALIDATE_MS);
});
text.addEventListener("scroll", syncScroll);
text.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    buttons.validate.click();
  } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    event.preventDefault();
    buttons.save.click();
  }
});

/** Keep the marks of the last validation while typing (until the next one answers). */
function currentMarks() {
  const marks = new Map();
  for (const node of gutter.querySelectorAll(".line-no.bad")) {
    marks.set(Number(node.dataset.line), node.title);
  }
  return marks;
}

loadPicker();
