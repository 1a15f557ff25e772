// Helpers shared by the dashboard's pages: JSON API calls, DOM building, formatting.
// Every request goes to this server (relative URLs only).

/** An API error: `status` is the HTTP status, `detail` the server's one-line message. */
export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.body = body;
  }
}

/**
 * Call the JSON API. Returns the parsed body (null for 204); throws ApiError on 4xx/5xx
 * with the server's `detail` line (or a generic line when the body is not JSON).
 */
export async function api(path, { method = "GET", json, body, signal } = {}) {
  const init = { method, signal, headers: { Accept: "application/json" } };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, `cannot reach the openbmd server (${err.message})`, null);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, detailOf(data, response), data);
  }
  return data;
}

function detailOf(data, response) {
  const detail = data && data.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length) {
    // FastAPI's own request-validation errors
    return detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
  }
  return `${response.status} ${response.statusText || "error"}`;
}

/**
 * Build an element: el("a", {href: "/x", class: "button"}, "text", child...).
 * Attributes set to null/undefined/false are skipped; `dataset` takes an object.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Show a one-line message in a status element; kind is "info", "ok" or "error". */
export function setStatus(node, text, kind = "info") {
  node.textContent = text || "";
  node.dataset.kind = kind;
}

/** A number for people: up to `digits` significant digits, "–" when missing. */
export function fmt(value, digits = 4) {
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return "–";
  if (Number.isInteger(value)) return value.toLocaleString("en");
  return Number(value.toPrecision(digits)).toLocaleString("en", { maximumFractionDigits: 6 });
}

/** File sizes in B, KiB, MiB. */
export function fmtBytes(size) {
  if (!Number.isFinite(size)) return "";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 / 1024).toFixed(1)} MiB`;
}

/** Parse an optional seed input: null when empty, else a non-negative integer. */
export function seedFrom(input) {
  const text = input.value.trim();
  if (!text) return null;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0) {
    throw new ApiError(0, `The 'seed' must be a whole number >= 0. Got ${text} instead.`);
  }
  return seed;
}

/** Start a run of a known scenario and open its run view. */
export async function startRun(name, seed = null) {
  const started = await api("/api/runs", { method: "POST", json: { scenario: name, seed } });
  window.location.assign(`/runs/${encodeURIComponent(started.run_id)}`);
  return started;
}

/** One line for a failed request, with what the user can do for common statuses. */
export function explain(err) {
  if (!(err instanceof ApiError)) return String(err && err.message ? err.message : err);
  if (err.status === 429) return `${err.detail} (the run queue is full: try again when a run ends)`;
  if (err.status === 401 || err.status === 403) {
    return `${err.detail} (open the dashboard with its ?token=… link)`;
  }
  return err.detail;
}
