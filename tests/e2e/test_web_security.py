"""The dashboard's security points and bad input, each proved with real requests: the
right 4xx with one clear line, nothing written, and the server keeps serving."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import warnings

import pytest

from openbmd.io.runstore import RunStore
from openbmd.scenario import builtin_text
from openbmd.web.app import create_app
from openbmd.web.settings import WebSettings

with warnings.catch_warnings():  # starlette's test client says it will move to httpx2
    warnings.simplefilter("ignore", UserWarning)
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

TOKEN = "s3cret-token-for-the-tests-0123456789"
LOOPBACK = ("127.0.0.1", 50000)


def client_for(tmp_path, client=LOOPBACK, base_url="http://127.0.0.1:8000", **options):
    """A test client (a context manager) of a fresh app keeping its files in ``tmp_path``."""
    options = {"out_root": tmp_path / "runs", "store_path": tmp_path / "runs.duckdb",
               "upload_dir": tmp_path / "uploads", "web_home": tmp_path / "web",
               **options}  # fmt: skip
    return TestClient(create_app(WebSettings(**options)), base_url=base_url, client=client)


@pytest.fixture
def make(tmp_path):
    """``make(client=..., **settings)``: a started test client, closed after the test."""
    stack = contextlib.ExitStack()

    def build(**options):
        return stack.enter_context(client_for(tmp_path, **options))

    with stack:
        yield build


def alive(c, **kw) -> None:
    assert c.get("/api/health", **kw).status_code == 200, "the server keeps serving"


def nothing_uploaded(tmp_path) -> bool:
    folder = tmp_path / "uploads"
    return not folder.exists() or not any(folder.iterdir())


def one_line_error(reply, status: int, words: str = "") -> None:
    assert reply.status_code == status, (reply.status_code, reply.text)
    detail = reply.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and detail, detail
    assert words.lower() in detail.lower(), detail


def test_uploads_over_the_limit_get_413_and_write_nothing(make, tmp_path):
    c = make()
    big = "# padding\n" * (300 * 1024 // 10)  # 300 KiB of YAML comments
    one_line_error(c.post("/api/scenarios", json={"yaml": big}), 413, "too large")
    files = {"file": ("big.yaml", big.encode(), "application/yaml")}
    one_line_error(c.post("/api/scenarios", files=files), 413, "too large")
    one_line_error(c.post("/api/scenarios/validate", json={"yaml": big}), 413, "too large")
    huge = b"x" * (2 * 1024 * 1024)
    declared = c.post("/api/scenarios", content=huge, headers={"content-type": "application/json"})
    one_line_error(declared, 413, "request body too large")

    def chunks():  # no Content-Length: counted while read
        for _ in range(64):
            yield b"y" * 32768

    streamed = c.post(
        "/api/scenarios", content=chunks(), headers={"content-type": "application/json"}
    )
    one_line_error(streamed, 413, "request body too large")
    assert nothing_uploaded(tmp_path)
    alive(c)


def test_a_token_is_required_off_loopback(make):
    c = make(host="0.0.0.0", token=TOKEN, client=("203.0.113.7", 40000),
             base_url="http://192.0.2.10:8000")  # fmt: skip
    missing = c.get("/api/health")
    one_line_error(missing, 401, "token is required")
    assert missing.headers["www-authenticate"] == "Bearer"
    one_line_error(c.get("/api/health", headers={"Authorization": "Bearer wrong"}), 403)
    one_line_error(c.get("/api/runs?token=wrong"), 403, "wrong token")
    one_line_error(c.post("/api/runs", json={"scenario": "teaching"}), 401)
    alive(c, headers={"Authorization": f"Bearer {TOKEN}"})
    alive(c, params={"token": TOKEN})
    assert c.get("/").status_code == 401, "pages too"
    opened = c.get(f"/runs?token={TOKEN}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/runs"
    cookie = opened.headers["set-cookie"]
    assert "openbmd_token=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert c.get("/api/runs").status_code == 200, "the cookie carries the token"
    with pytest.raises(Exception, match="needs a token"):
        WebSettings(host="0.0.0.0")


def test_without_a_token_only_loopback_clients_and_names(make):
    remote = make(client=("203.0.113.7", 40000))
    one_line_error(remote.get("/api/health"), 403, "loopback clients only")
    local = make()
    rebound = local.get("/api/health", headers={"host": "attacker.example:8000"})
    one_line_error(rebound, 403, "unexpected host")
    alive(local, headers={"host": "localhost:8000"})
    with pytest.raises(WebSocketDisconnect), local.websocket_connect("/api/health"):
        pass  # no WebSocket endpoint, and none let through


def test_cli_refuses_a_public_host_without_token():
    proc = subprocess.run([sys.executable, "-m", "openbmd", "serve", "--host", "0.0.0.0"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "token" in proc.stderr and "Traceback" not in proc.stderr


def test_cors_closed_by_default_and_cross_site_writes_refused(make, tmp_path):
    c = make()
    foreign = {"Origin": "http://evil.example"}
    reply = c.get("/api/health", headers=foreign)
    assert reply.status_code == 200 and "access-control-allow-origin" not in reply.headers
    preflight = c.options("/api/runs", headers={**foreign, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    text = builtin_text("teaching").replace("name: teaching ", "name: mine ", 1)
    one_line_error(
        c.post("/api/scenarios", json={"yaml": text}, headers=foreign), 403, "cross-site"
    )
    one_line_error(c.post("/api/runs", json={"scenario": "teaching"}, headers=foreign), 403)
    one_line_error(c.post("/api/runs", json={"scenario": "teaching"},
                          headers={"Sec-Fetch-Site": "cross-site"}), 403)  # fmt: skip
    assert nothing_uploaded(tmp_path)
    assert RunStore(tmp_path / "runs.duckdb").list_runs() == []
    same = c.post(
        "/api/scenarios", json={"yaml": text}, headers={"Origin": "http://127.0.0.1:8000"}
    )
    assert same.status_code == 201
    assert c.get("/api/health").headers["x-content-type-options"] == "nosniff"


def test_cors_opens_only_to_configured_origins(make):
    c = make(cors_origins=("http://allowed.example",))
    yes = c.get("/api/health", headers={"Origin": "http://allowed.example"})
    assert yes.headers["access-control-allow-origin"] == "http://allowed.example"
    no = c.get("/api/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in no.headers


@pytest.fixture
def recorded_run(tmp_path):
    """A finished run in the store whose folder holds a file, a link out and a hidden file."""
    folder = tmp_path / "runs" / "r1"
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text('{"ok": true}')
    (folder / ".hidden").write_text("hidden")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    (folder / "link.json").symlink_to(secret)
    store = RunStore(tmp_path / "runs.duckdb")
    run_id = store.start_run("teaching", "name: teaching\n", 1, "test", folder)
    store.finish_run(run_id, {"run_folder": str(folder)}, {})
    return run_id


def test_downloads_only_from_the_runs_own_folder(make, recorded_run):
    c = make()
    base = f"/api/runs/{recorded_run}/files"
    assert [f["name"] for f in c.get(base).json()] == ["summary.json"], "no links, no hidden"
    ended = c.get(f"/api/runs/{recorded_run}/progress")
    assert ended.text.startswith("event: done\n"), "a finished run sends its end at once"
    ok = c.get(f"{base}/summary.json")
    assert ok.status_code == 200 and ok.json() == {"ok": True}
    assert ok.headers["content-type"] == "application/json"
    for name in ("..%2fsecret.txt", "%2e%2e%2f%2e%2e%2fsecret.txt", "..%5csecret.txt", "%2e%2e",
                 ".%2e", "%2fetc%2fpasswd", "summary.json%00.txt", "link.json", ".hidden",
                 "%2e%2e%2f..%2fsecret.txt", "r1%2f..%2f..%2fsecret.txt"):  # fmt: skip
        reply = c.get(f"{base}/{name}")
        assert 400 <= reply.status_code < 500, (name, reply.status_code)
        assert b"TOP-SECRET" not in reply.content, name
        alive(c)
    one_line_error(c.get(f"{base}/link.json"), 404, "no file")
    one_line_error(c.get(f"{base}/..%5csecret.txt"), 400, "plain name")
    assert 400 <= c.get("/api/runs/..%2f..%2fetc/files").status_code < 500


def test_queue_full_gives_429_and_shutdown_leaves_no_run_running(tmp_path):
    store = RunStore(tmp_path / "runs.duckdb")
    with client_for(tmp_path, max_queued_runs=1) as c:
        first = c.post("/api/runs", json={"scenario": "teaching"})
        second = c.post("/api/runs", json={"scenario": "teaching", "seed": 7})
        assert first.status_code == second.status_code == 202
        full = c.post("/api/runs", json={"scenario": "teaching"})
        one_line_error(full, 429, "run queue is full (1 queued); try again later")
        assert full.headers["retry-after"]
        alive(c)
        assert len(store.list_runs()) == 2, "the refused run is not recorded"
        assert c.get(f"/api/runs/{second.json()['run_id']}").json()["status"] == "queued"
    # the server stopped: the queued run ended interrupted, nothing is left running
    statuses = {r.run_id: r.status for r in store.list_runs()}
    assert statuses[second.json()["run_id"]] == "interrupted"
    assert set(statuses.values()) <= {"complete", "interrupted"}, statuses


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{k}: &{k} [{', '.join(['*' + p] * 10)}]\n" for p, k in zip("abcdefg", "bcdefgh", strict=True)
)

MULTIPART = "multipart/form-data; boundary=xx"


def raw(body: bytes, content_type: str) -> dict:
    return {"content": body, "headers": {"content-type": content_type}}


BAD_REQUESTS = [
    ("get", "/api/runs?limit=abc", {}, 422, "limit"),
    ("get", "/api/runs?limit=0", {}, 422, "limit"),
    ("get", "/api/runs?limit=100000", {}, 422, "limit"),
    ("get", "/api/runs/260101-000000-abcd", {}, 404, "no run"),
    ("get", "/api/runs/260101-000000-abcd/progress", {}, 404, "no run"),
    ("get", "/api/runs/260101-000000-abcd/files", {}, 404, "no run"),
    ("get", "/api/runs/260101-000000-abcd/files/summary.json", {}, 404, "no run"),
    ("get", "/api/runs/260101-000000-abcd/charts", {}, 404, "no run"),
    ("get", "/api/runs/260101-000000-abcd/footprint", {}, 404, "no run"),
    ("get", "/api/runs/bad.id", {}, 422, "run_id"),
    ("get", "/api/scenarios/x.yaml", {}, 422, "name"),
    ("get", "/api/scenarios/..%2f..%2fetc%2fpasswd", {}, 404, ""),
    ("get", "/api/nothing", {}, 404, "not found"),
    ("post", "/api/runs", {"json": {"scenario": "nope"}}, 404, "no scenario"),
    ("post", "/api/runs", {"json": {"scenario": "teaching", "seed": -1}}, 422, "seed"),
    ("post", "/api/runs", {"json": {"scenario": "teaching", "seed": "x"}}, 422, "seed"),
    ("post", "/api/runs", {"json": {"scenario": "../teaching"}}, 422, "scenario"),
    ("post", "/api/runs", {"json": {"scenario": "teaching", "shell": "rm"}}, 422, "shell"),
    ("post", "/api/runs", raw(b"{not json", "application/json"), 422, "not valid JSON"),
    ("post", "/api/runs", raw(b"scenario=teaching", "text/plain"), 422, "body"),
    ("post", "/api/scenarios", raw(b"name: x", "text/yaml"), 415, "multipart"),
    ("post", "/api/scenarios", {"json": ["yaml"]}, 422, "object"),
    ("post", "/api/scenarios", {"json": {"yaml": "x", "path": "/etc"}}, 422, "unknown key"),
    ("post", "/api/scenarios", {"files": {"other": ("a.yaml", b"name: a")}}, 422, "'file'"),
    ("post", "/api/scenarios", {"files": {"file": ("a.yaml", b"\xff\xfe name")}}, 422, "UTF-8"),
    ("post", "/api/scenarios", raw(b"--xx\r\nbroken", MULTIPART), 422, "'file'"),
    ("post", "/api/scenarios", {"json": {"yaml": BOMB}}, 422, "200,000 values"),
    ("post", "/api/scenarios", {"json": {"yaml": "[" * 5000 + "]" * 5000}}, 422, "nested"),
    ("post", "/api/scenarios", {"json": {"yaml": "a: !!python/object:os.system x"}}, 422, "YAML"),
    ("post", "/api/scenarios/validate", {"json": {"text": "x"}}, 422, "yaml"),
    ("delete", "/api/runs", {}, 405, "not allowed"),
]


def test_bad_input_gets_a_clear_4xx_and_nothing_is_written(make, tmp_path):
    c = make()
    for method, url, kwargs, status, words in BAD_REQUESTS:
        reply = getattr(c, method)(url, **kwargs)
        assert reply.status_code == status, (url, kwargs, reply.status_code, reply.text[:300])
        detail = reply.json()["detail"]
        assert isinstance(detail, str) and "\n" not in detail, (url, detail)
        assert words.lower() in detail.lower(), (url, detail)
        alive(c)
    assert nothing_uploaded(tmp_path)
    assert RunStore(tmp_path / "runs.duckdb").list_runs() == []
    bomb = c.post("/api/scenarios/validate", json={"yaml": BOMB}).json()
    assert bomb["valid"] is False and "aliases" in bomb["errors"][0]["message"]
