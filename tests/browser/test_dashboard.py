"""The dashboard in a real browser, and the set-up that installs its globe.

Browser tests (Chromium + Playwright, see ``conftest.py``): run ``teaching`` from the
library and follow its progress to the end over server-sent events; the run view draws the
globe (a canvas with many colours, not a blank one), marks every intercept of the run's
events table on the altitude chart and the timeline, and links the run's files; a bad
scenario shows its error at the offending line in the editor and on upload. Every request
a page makes stays on the loopback server.

Without a browser: the run view without CesiumJS, and ``setup_web``'s errors.
"""

from __future__ import annotations

import io
import json
import re
import stat
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from openbmd.scenario import builtin_text

RUN_DONE_TIMEOUT_MS = 300_000  # a first run on a fresh machine compiles the kernels
GLOBE_TIMEOUT_MS = 120_000  # software WebGL: first frame after 5-7 s, slower under load


def assert_local(tracked, dashboard) -> None:
    """Every request the page made went to the dashboard on 127.0.0.1.

    ``blob:`` URLs of the dashboard's origin (CesiumJS makes them for its workers and
    images) and ``data:`` URLs are read from the page's own memory.
    """
    assert tracked.requests, "the page made no requests at all"
    local = (f"{dashboard.url}/", f"blob:{dashboard.url}/", "data:")
    foreign = [u for u in tracked.requests if not u.startswith(local)]
    assert not foreign, f"requests that left the dashboard server: {foreign[:5]}"


def pause_globe(page) -> None:
    """Stop CesiumJS's render loop: software WebGL keeps the page's thread busy."""
    page.evaluate("window.openbmdViewer && (window.openbmdViewer.useDefaultRenderLoop = false)")


def intercept_events(run_folder: Path) -> list[dict]:
    """The intercept rows of the run's events table, read with pyarrow (not the API)."""
    import pyarrow.parquet as pq

    rows = pq.read_table(run_folder / "events.parquet").to_pylist()
    return [r for r in rows if r["kind"] == "intercept"]


def bad_teaching() -> tuple[str, int]:
    """``teaching`` with a negative time step, and the line number of that key."""
    lines = builtin_text("teaching").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("time_step_s:"))
    lines[index] = re.sub(r"time_step_s:\s*[0-9.]+", "time_step_s: -1.0", lines[index])
    return "\n".join(lines) + "\n", index + 1


# ---- browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def teaching_run_page(new_page, dashboard):
    """Run ``teaching`` from the library; the page is left on the run view, run done.

    A first run is queued through the API so that the one started from the page has to
    wait and run while the page listens: its progress then surely arrives over SSE.
    """
    tracked = new_page()
    page = tracked.page
    # record every text the stage label shows, from the first paint on
    page.add_init_script(
        """
        window.__stages = [];
        document.addEventListener("DOMContentLoaded", () => {
          const node = document.getElementById("run-stage");
          if (!node) return;
          new MutationObserver(() => window.__stages.push(node.textContent))
            .observe(node, {childList: true, characterData: true, subtree: true});
        });
        """
    )
    first = page.request.post(
        f"{dashboard.url}/api/runs",
        data=json.dumps({"scenario": "teaching"}),
        headers={"Content-Type": "application/json", "Origin": dashboard.url},
    )
    assert first.status == 202, first.text()
    page.goto("/")
    row = page.locator("tr[data-scenario='teaching']")
    row.wait_for()
    assert row.get_attribute("data-origin") == "builtin"
    tracked.screenshot("library")
    row.get_by_role("button", name="Run teaching").click()
    page.wait_for_url(re.compile(r"/runs/[A-Za-z0-9_.-]+$"))
    run_id = page.url.rsplit("/", 1)[-1]
    assert run_id != first.json()["run_id"]
    page.wait_for_selector("#run-status[data-status='done']", timeout=RUN_DONE_TIMEOUT_MS)
    try:
        yield tracked, run_id
    finally:
        tracked.close()


def test_teaching_run_progress_reaches_done_over_sse(teaching_run_page, dashboard):
    tracked, run_id = teaching_run_page
    page = tracked.page
    assert page.eval_on_selector("#run-progress", "p => p.value") == 1
    assert page.inner_text("#run-stage") == "Done"
    assert f"{dashboard.url}/api/runs/{run_id}/progress" in tracked.requests
    stages = page.evaluate("window.__stages")
    numbered = [int(m.group(1)) for s in stages if (m := re.match(r"Stage (\d+) of 7", s))]
    assert numbered, f"no stage shown before the end: {stages}"
    assert numbered == sorted(numbered), f"stages out of order: {stages}"
    assert stages[-1] == "Done"
    # the summary is the run store's: the teaching defence kills its one missile
    assert page.inner_text("#run-summary [data-key='kills'] dd") == "1"
    assert page.inner_text("#run-summary [data-key='leakers'] dd") == "0"
    assert not tracked.page_errors, tracked.page_errors
    tracked.screenshot("run-done")


def canvas_stats(png: bytes) -> tuple[int, float, float]:
    """Distinct colours, the share of the commonest one and the largest channel spread
    in the middle of a canvas screenshot, clear of CesiumJS's widgets."""
    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    h, w, _ = image.shape
    pixels = image[int(0.15 * h) : int(0.7 * h), int(0.2 * w) : int(0.85 * w)].reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    return colours.shape[0], float(counts.max() / counts.sum()), float(pixels.std(axis=0).max())


def test_run_view_globe_is_drawn(teaching_run_page, dashboard, artifacts):
    tracked, run_id = teaching_run_page
    page = tracked.page
    page.wait_for_function(
        "window.openbmdGlobeReady === true || window.openbmdGlobeState === 'error'",
        timeout=GLOBE_TIMEOUT_MS,
    )
    assert page.evaluate("window.openbmdGlobeState") == "ready", page.inner_text("#globe")
    # every packet of the run's scene.czml but the document's is an entity on the globe
    # (teaching: re-entry vehicle, rocket body, two interceptors, two sites, a coverage
    # outline, two intercept points)
    czml = json.loads((dashboard.out_root / run_id / "scene.czml").read_text(encoding="utf-8"))
    assert int(page.get_attribute("#globe", "data-entities")) == len(czml) - 1 >= 8
    canvas = page.locator("#globe canvas").first
    # imagery tiles arrive after the first frame: look again until they are drawn
    deadline = time.monotonic() + GLOBE_TIMEOUT_MS / 1000
    while True:
        png = canvas.screenshot(path=str(artifacts / "globe-canvas.png"))
        colours, share, spread = canvas_stats(png)
        if colours > 1000 or time.monotonic() > deadline:
            break
        page.wait_for_timeout(1000)
    # a blank canvas is one colour; a globe without imagery a few flat shades; the
    # Natural Earth imagery gives thousands (about 10,000 measured here)
    assert colours > 1000, f"only {colours} distinct colours on the globe (blank?)"
    assert share < 0.5, "one colour fills half the globe's view"
    assert spread > 5, "the globe canvas is nearly uniform"
    # the clock plays (it loops over the run: the time changes, not always upward)
    t0 = page.evaluate("window.openbmdViewer.clock.currentTime.secondsOfDay")
    page.wait_for_timeout(1500)
    t1 = page.evaluate("window.openbmdViewer.clock.currentTime.secondsOfDay")
    assert t1 != t0
    assert_local(tracked, dashboard)


def test_run_view_charts_show_every_intercept(teaching_run_page, dashboard, artifacts):
    tracked, run_id = teaching_run_page
    page = tracked.page
    pause_globe(page)
    expected = intercept_events(dashboard.out_root / run_id)
    assert expected, "the teaching run logs intercepts"
    page.wait_for_selector("#altitude-chart svg")
    markers = page.locator("#altitude-chart g[data-kind='intercept']")
    assert markers.count() == len(expected)
    assert page.get_attribute("#altitude-chart", "data-intercepts") == str(len(expected))
    labels = [markers.nth(i).get_attribute("aria-label") for i in range(markers.count())]
    for event, label in zip(expected, labels, strict=True):
        assert f"{event['alt_m'] / 1000:.1f} km altitude" in label, (label, event)
        assert f"at {event['time_s']:.1f} s" in label, (label, event)
    row = page.locator("#timeline-chart g.timeline-row[data-kind='intercept']")
    assert row.get_attribute("data-count") == str(len(expected))
    assert row.locator("circle").count() == len(expected)
    kinds = page.eval_on_selector_all(
        "#timeline-chart g.timeline-row", "rows => rows.map(r => r.dataset.kind)"
    )
    assert kinds.index("launch") < kinds.index("interceptor-launch") < kinds.index("intercept")
    page.locator("#altitude-chart").screenshot(path=str(artifacts / "altitude-chart.png"))
    page.locator("#timeline-chart").screenshot(path=str(artifacts / "timeline-chart.png"))
    assert_local(tracked, dashboard)


def test_run_view_links_the_run_files(teaching_run_page, dashboard):
    tracked, run_id = teaching_run_page
    page = tracked.page
    pause_globe(page)
    names = page.eval_on_selector_all("#downloads li[data-file]", "l => l.map(e => e.dataset.file)")
    on_disk = {p.name for p in (dashboard.out_root / run_id).iterdir() if p.is_file()}
    assert set(names) == on_disk
    for name in ("scene.czml", "scene.kml", "report.html", "events.parquet"):
        assert name in names
    href = page.get_attribute("#downloads li[data-file='scene.czml'] a", "href")
    czml = page.request.get(f"{dashboard.url}{href}")
    assert czml.ok
    assert czml.json()[0]["id"] == "document"
    tracked.screenshot("run-view")
    assert_local(tracked, dashboard)


def test_run_view_shows_the_footprint_map_of_a_run_that_has_one(dashboard_page, dashboard):
    page = dashboard_page.page
    text = builtin_text("teaching").replace("name: teaching ", "name: teaching-footprint ", 1)
    text = text.replace("outputs: [summary, events, trajectories, report]",
                        "outputs: [summary, events, trajectories, report, footprint]")  # fmt: skip
    headers = {"Content-Type": "application/json", "Origin": dashboard.url}
    up = page.request.post(f"{dashboard.url}/api/scenarios", data=json.dumps({"yaml": text}),
                           headers=headers)  # fmt: skip
    assert up.status == 201, up.text()
    run = page.request.post(f"{dashboard.url}/api/runs", headers=headers,
                            data=json.dumps({"scenario": "teaching-footprint"}))  # fmt: skip
    assert run.status == 202, run.text()
    page.goto(f"/runs/{run.json()['run_id']}")
    page.wait_for_selector("#run-status[data-status='done']", timeout=RUN_DONE_TIMEOUT_MS)
    img = page.locator("#footprint-section img.footprint-map")
    img.wait_for()
    assert page.is_visible("#footprint-section")
    page.wait_for_function(
        "() => { const i = document.querySelector('#footprint-section img.footprint-map');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert img.get_attribute("src").endswith("/files/footprint.png")
    assert "footprint.nc" in page.inner_text("#footprint-section")
    assert_local(dashboard_page, dashboard)


def test_editor_marks_the_offending_line(dashboard_page, dashboard, tmp_path):
    text, line = bad_teaching()
    bad_file = tmp_path / "bad-teaching.yaml"
    bad_file.write_text(text, encoding="utf-8")
    page = dashboard_page.page
    page.goto("/editor?name=teaching")
    page.wait_for_function("document.getElementById('yaml-text').value.includes('teaching')")
    page.set_input_files("#open-file", str(bad_file))
    item = page.locator("#editor-errors li").first
    item.wait_for()
    assert item.get_attribute("data-line") == str(line)
    assert item.get_attribute("data-field") == "simulation.time_step_s"
    assert f"line {line}" in item.inner_text()
    assert "time_step_s" in item.inner_text()
    bad_lines = page.eval_on_selector_all(".line-no.bad", "els => els.map(e => e.dataset.line)")
    assert bad_lines == [str(line)]
    assert page.locator(f".band.bad[data-line='{line}']").count() == 1
    assert page.get_attribute("#yaml-text", "aria-invalid") == "true"
    assert page.inner_text("#editor-status") == "1 problem found."
    # the error's button puts the caret on that line
    item.get_by_role("button").click()
    caret_line = page.evaluate(
        "(() => { const t = document.getElementById('yaml-text');"
        " return t.value.slice(0, t.selectionStart).split('\\n').length; })()"
    )
    assert caret_line == line
    dashboard_page.screenshot("editor-bad-scenario")
    # fixing the line clears the marks
    page.fill("#yaml-text", builtin_text("teaching"))
    page.get_by_role("button", name="Validate").click()
    page.wait_for_function("document.getElementById('editor-status').dataset.kind === 'ok'")
    assert page.locator(".line-no.bad").count() == 0
    assert_local(dashboard_page, dashboard)
    assert not dashboard_page.page_errors, dashboard_page.page_errors


def test_upload_of_a_bad_scenario_lists_its_error(dashboard_page, dashboard, tmp_path):
    text, line = bad_teaching()
    bad_file = tmp_path / "bad-upload.yaml"
    bad_file.write_text(text.replace("name: teaching", "name: bad-upload", 1), encoding="utf-8")
    page = dashboard_page.page
    page.goto("/")
    page.locator("tr[data-scenario]").first.wait_for()
    page.set_input_files("#upload-file", str(bad_file))
    page.get_by_role("button", name="Upload").click()
    page.locator("#upload-errors li").first.wait_for()
    assert page.get_attribute("#upload-errors li", "data-line") == str(line)
    assert page.get_attribute("#upload-status", "data-kind") == "error"
    assert "bad-upload.yaml" in page.inner_text("#upload-status")
    assert page.locator("tr[data-scenario='bad-upload']").count() == 0
    assert_local(dashboard_page, dashboard)


# ---- without a browser -------------------------------------------------------------


def _client(tmp_path: Path, web_home: Path):
    with warnings.catch_warnings():  # starlette's test client says it will move to httpx2
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from openbmd.web.app import create_app
    from openbmd.web.settings import WebSettings

    settings = WebSettings(
        out_root=tmp_path / "runs",
        store_path=tmp_path / "runs.duckdb",
        upload_dir=tmp_path / "uploads",
        web_home=web_home,
    )
    return TestClient(create_app(settings), base_url="http://127.0.0.1", client=("127.0.0.1", 5))


def test_run_view_without_cesium_says_how_to_install_it(tmp_path):
    client = _client(tmp_path, tmp_path / "no-web")
    page = client.get("/runs/261126-214104-c55a")
    assert page.status_code == 200
    assert 'data-cesium="no"' in page.text
    assert "openbmd setup-web" in page.text
    assert client.get("/cesium/Cesium.js").status_code == 404
    # the page scripts are served by the package, not by CesiumJS
    script = client.get("/static/run.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    for path in ("/", "/editor", "/editor?name=teaching", "/runs"):
        assert client.get(path).status_code == 200, path
    assert client.get("/runs/..%2f..%2fetc").status_code == 404


def test_pages_load_no_outside_resources(tmp_path):
    client = _client(tmp_path, tmp_path / "no-web")
    for path in ("/", "/editor", "/runs", "/runs/abc"):
        html = client.get(path).text
        urls = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
        assert urls, path
        outside = [u for u in urls if not u.startswith(("/", "#", "data:"))]
        assert not outside, (path, outside)


def _fake_npm(tmp_path: Path, script: str) -> Path:
    npm = tmp_path / "fake-npm"
    npm.write_text(f"#!{sys.executable}\n{script}\n", encoding="utf-8")
    npm.chmod(npm.stat().st_mode | stat.S_IXUSR)
    return npm


def test_setup_web_reports_a_missing_npm(tmp_path):
    from openbmd.web.cesium import CesiumSetupError, setup_web

    with pytest.raises(CesiumSetupError, match=r"npm not found .*openbmd setup-web"):
        setup_web(tmp_path / "web", npm=str(tmp_path / "no-such-npm"))


def test_setup_web_reports_npm_failures_in_one_line(tmp_path):
    from openbmd.web.cesium import CesiumSetupError, setup_web

    npm = _fake_npm(
        tmp_path,
        "import sys\n"
        "sys.stderr.write('npm error code E404\\nnpm error 404 Not Found - GET cesium\\n'"
        " 'npm error A complete log of this run can be found in: /x.log\\n')\n"
        "sys.exit(1)",
    )
    with pytest.raises(CesiumSetupError) as info:
        setup_web(tmp_path / "web", npm=str(npm), quiet=True)
    message = str(info.value)
    assert "exit code 1" in message
    assert "404 Not Found - GET cesium" in message
    assert "\n" not in message
    # the pinned manifests were put in place for npm ci
    assert (tmp_path / "web" / "package-lock.json").is_file()


def test_setup_web_passes_the_pinned_lock_to_npm_ci(tmp_path):
    """A stand-in npm that checks its arguments and lays out what `npm ci` would."""
    from openbmd.web.cesium import cesium_build_dir, pinned_cesium_version, setup_web

    npm = _fake_npm(
        tmp_path,
        "import json, sys, pathlib\n"
        "args = sys.argv[1:]\n"
        "assert args[0] == 'ci' and '--ignore-scripts' in args, args\n"
        "home = pathlib.Path(args[args.index('--prefix') + 1])\n"
        "lock = json.loads((home / 'package-lock.json').read_text())\n"
        "version = lock['packages']['node_modules/cesium']['version']\n"
        "pkg = home / 'node_modules' / 'cesium'\n"
        "tiles = pkg / 'Build' / 'Cesium' / 'Assets' / 'Textures' / 'NaturalEarthII'\n"
        "tiles.mkdir(parents=True)\n"
        "(tiles / 'tilemapresource.xml').write_text('<TileMap/>')\n"
        "(pkg / 'Build' / 'Cesium' / 'Cesium.js').write_text('var Cesium = {};')\n"
        "(pkg / 'package.json').write_text(json.dumps({'version': version}))\n",
    )
    home = tmp_path / "web"
    build = setup_web(home, npm=str(npm), quiet=True)
    assert build == cesium_build_dir(home)
    # installed: a second call does not run npm at all
    assert setup_web(home, npm=str(tmp_path / "no-such-npm")) == build
    lock = json.loads((home / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/cesium"]["version"] == pinned_cesium_version()


def test_shipped_lock_pins_every_package_with_a_hash():
    from openbmd.web.cesium import pinned_cesium_version

    web = Path(__file__).resolve().parents[2] / "src" / "openbmd" / "web"
    manifest = json.loads((web / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((web / "package-lock.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned_cesium_version())
    assert lock["packages"][""]["dependencies"] == manifest["dependencies"]
    packages = {k: v for k, v in lock["packages"].items() if k}
    assert packages["node_modules/cesium"]["version"] == pinned_cesium_version()
    unhashed = [k for k, v in packages.items() if not v.get("integrity", "").startswith("sha512-")]
    assert not unhashed, unhashed
    # no machine's own mirror or file path baked in: npm ci resolves from the registry
    resolved = {v["resolved"] for v in packages.values() if "resolved" in v}
    assert all(r.startswith("https://registry.npmjs.org/") for r in resolved), resolved


def test_cli_setup_web_error_is_one_line(tmp_path, capsys, monkeypatch):
    from openbmd.cli.main import main

    monkeypatch.setenv("OPENBMD_HOME", str(tmp_path / "home"))
    with pytest.raises(SystemExit) as exit_info:
        main(["setup-web", "--npm", str(tmp_path / "no-such-npm")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: npm not found")
    assert err.count("\n") == 1
