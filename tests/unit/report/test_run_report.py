"""Run figures and the self-contained HTML report."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import numpy as np
import pytest

from fixtures_runresult import SCENARIO_YAML, make_run_result
from openbmd.pipeline.result import EVENT_COLUMNS, SITE_COLUMNS, TRAJECTORY_COLUMNS, empty_table
from openbmd.report.html import report_html, write_report_html
from openbmd.report.run_figures import (
    FIGURE_FILES,
    altitude_figure,
    is_kill,
    run_figures_png,
    run_map_figure,
    timeline_figure,
)

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def figures() -> dict[str, bytes]:
    return run_figures_png(make_run_result(), dpi=60)


def test_figures_render_as_png(figures):
    assert list(figures) == list(FIGURE_FILES)
    for name, data in figures.items():
        assert data[:8] == PNG, name
        assert len(data) > 5000, name


def test_map_draws_tracks_sites_coverage_and_intercepts():
    import matplotlib.pyplot as plt

    fig = run_map_figure(make_run_result())
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    for expected in (
        "radar coverage",
        "reentry vehicle",
        "rocket body",
        "interceptor",
        "radar",
        "interceptor site",
        "intercept",
        "leaker",
    ):
        assert expected in labels
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < 124.0 and x1 > 130.0 and y0 < 34.0 and y1 > 40.0  # everything inside
    assert len(ax.collections) >= 1  # coastlines
    plt.close(fig)


def test_map_across_the_antimeridian_stays_regional():
    import matplotlib.pyplot as plt

    result = make_run_result()
    traj = dict(result.trajectories)
    traj["lon_deg"] = np.where(traj["lon_deg"] > 127.0, traj["lon_deg"] - 360.0 + 53.0, 179.5)
    fig = run_map_figure(make_run_result(trajectories=traj, coverage={}))
    x0, x1 = fig.axes[0].get_xlim()
    assert x1 - x0 < 300.0  # not the whole world
    plt.close(fig)


def test_altitude_and_timeline_contents():
    import matplotlib.pyplot as plt

    fig = altitude_figure(make_run_result())
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert {"T1-RV", "T1-RB", "T2-RV", "I1", "intercept"} <= set(labels)
    assert ax.get_ylim()[1] >= 250.0  # km
    plt.close(fig)

    fig = timeline_figure(make_run_result())
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["T1", "T2"]
    labels = set(ax.get_legend_handles_labels()[1])
    assert {"launch", "first detection", "firm track", "interceptor launch"} <= labels
    assert {"intercept", "kill", "leaker", "impact", "early-warning cue"} <= labels
    plt.close(fig)


def test_figures_of_an_empty_run():
    empty = make_run_result(
        events=empty_table(EVENT_COLUMNS),
        trajectories=empty_table(TRAJECTORY_COLUMNS),
        sites=empty_table(SITE_COLUMNS),
        coverage={},
    )
    for data in run_figures_png(empty, dpi=40).values():
        assert data[:8] == PNG


def test_is_kill():
    assert is_kill("killed") and is_kill("Kill (miss 0.3 m)")
    assert not is_kill("not killed") and not is_kill("survived") and not is_kill("")


class _Resources(HTMLParser):
    """Every attribute that makes a browser fetch something, and the text of <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.images: list[str] = []
        self._in_style = False
        self.style = ""

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "poster", "action") and value:
                self.urls.append((tag, name, value))
        if tag == "img":
            self.images.append(dict(attrs)["src"] or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data


def test_report_is_self_contained_and_complete(figures, tmp_path):
    result = make_run_result()
    created = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    rid = "240506-070809-abcd"
    path = write_report_html(
        result, tmp_path / "report.html", figures=figures, run_id=rid, created=created
    )
    text = path.read_text(encoding="utf-8")

    # metadata
    for fragment in ("240506-070809-abcd", "2024-05-06 07:08:09 UTC", "openbmd 0.1.0", "1234"):
        assert fragment in text
    assert "2020-06-01 12:00:00 UTC" in text  # the scenario epoch
    # summary values, nested ones with dotted names
    for fragment in ("p_no_leaker", "0.42", "interceptors_fired", "stage_seconds.tracking"):
        assert fragment in text
    # the scenario, escaped
    assert "&lt;html&gt; &amp; &#34;quotes&#34;" in text
    assert "<html> &" not in text
    assert "{id: T1, class: mrbm, launch: [39.0, 125.0], aim: [35.5, 129.0]}" in text
    assert SCENARIO_YAML.splitlines()[0] in text
    # event log, with an escaped detail
    assert "interceptor-launch" in text and "out of reach &lt;no shot&gt;" in text
    assert "All 13 events." in text
    # sources
    for key, source in result.sources.items():
        assert key in text and source in text

    parser = _Resources()
    parser.feed(text)
    assert len(parser.images) == 3
    for src in parser.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == PNG
    assert all(value.startswith("data:") for _, _, value in parser.urls), parser.urls
    assert "url(" not in parser.style and "@import" not in parser.style
    assert not re.search(r"<(script|link|iframe|object|embed)\b", text, re.IGNORECASE)
    assert "default-src 'none'" in text  # the browser is told to load nothing else


def test_report_event_log_is_truncated(figures):
    text = report_html(make_run_result(), figures=figures, max_events=5)
    assert "First 5 of 13 events; the full log is in events.parquet." in text
    assert "kill-assessment" not in text.split("Event log", 1)[1].split("Parameter sources")[0]


def test_report_renders_figures_itself_when_not_given():
    text = report_html(make_run_result(sources={}))
    assert text.count("data:image/png;base64,") == 3
    assert "No sources recorded." in text
    assert "(not recorded)" in text  # no run id
