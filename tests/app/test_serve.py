"""The app's server keeps to this machine, without a browser: it listens on 127.0.0.1 only,
refuses requests naming another host or sent from another origin (websocket included),
serves nothing but its own page and assets, and ``sim app`` says what is wrong in one line."""

from __future__ import annotations

import asyncio
import http.client
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sim import ScenarioError, load_scenario
from sim.app.serve import LocalOnly, find_options

from .conftest import ROOT

KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # the example key of RFC 6455


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, str]:
    """GET ``path`` exactly as written (no normalizing); the status and the body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def upgrade(port: int, origin: str | None, host: str | None = None) -> str:
    """The status line the server answers a websocket upgrade with."""
    lines = [
        "GET /websocket/ HTTP/1.1",
        f"Host: {host or f'127.0.0.1:{port}'}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {KEY}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


def sim_app(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from sim.cli import main; main()", "app", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def other_address() -> str | None:
    """An IPv4 address of this machine other than loopback, if it has one."""
    try:
        name = socket.gethostbyname(socket.gethostname())
    except OSError:
        name = ""
    if name and not name.startswith("127."):
        return name
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a UDP connect sends nothing: the route's address
            name = probe.getsockname()[0]
    except OSError:
        return None
    return None if name.startswith("127.") or name == "0.0.0.0" else name


# The page and its own address ------------------------------------------------------------------
def test_the_page_answers_at_its_address(server):
    status, body = get(server.port, "/")
    assert status == 200
    assert "<title>sim app</title>" in body
    status, _ = get(server.port, "/", {"Host": f"localhost:{server.port}"})
    assert status == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},
        {"Host": "evil.example:{port}"},
        {"Host": "127.0.0.1:1"},  # this machine, but not this server
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "https://127.0.0.1:{port}"},
    ],
    ids=["host", "host-with-port", "other-port", "origin", "null-origin", "https-origin"],
)
def test_another_host_or_origin_is_refused(server, headers):
    headers = {k: v.format(port=server.port) for k, v in headers.items()}
    status, body = get(server.port, "/", headers)
    assert status == 403
    assert body == "sim app: local use only\n"


def test_a_request_from_the_apps_own_page_is_served(server):
    for origin in (f"http://127.0.0.1:{server.port}", f"http://localhost:{server.port}"):
        assert get(server.port, "/", {"Origin": origin})[0] == 200


def test_a_websocket_from_another_origin_is_refused(server):
    assert upgrade(server.port, f"http://127.0.0.1:{server.port}").startswith("HTTP/1.1 101 ")
    assert upgrade(server.port, None).startswith("HTTP/1.1 101 ")
    for origin in ("http://evil.example", "null", f"http://evil.example:{server.port}"):
        assert upgrade(server.port, origin).startswith("HTTP/1.1 403 "), origin
    assert upgrade(server.port, None, host="evil.example").startswith("HTTP/1.1 403 ")


def test_a_websocket_client_from_another_origin_is_refused(server):
    client = pytest.importorskip("websockets.sync.client")
    from websockets.exceptions import InvalidStatus

    url = f"ws://127.0.0.1:{server.port}/websocket/"
    with pytest.raises(InvalidStatus) as refused:
        client.connect(url, origin="http://evil.example", open_timeout=10)
    assert refused.value.response.status_code == 403
    with client.connect(url, origin=f"http://127.0.0.1:{server.port}", open_timeout=10) as ws:
        ws.send('{"method": "init", "data": {}}')
        assert '"sessionId"' in ws.recv(timeout=10)  # Shiny's session began


# Nothing but its own files ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/scenarios/base.yaml",
        "/../pyproject.toml",
        "/../../pyproject.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/lib/../../../etc/passwd",
        "/lib/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/lib/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/{asset}/../../../../../../etc/passwd",
        "/{asset}/../../../../../../" + str(ROOT / "pyproject.toml").lstrip("/"),
    ],
)
def test_no_file_outside_its_assets_is_served(server, path):
    asset = re.search(r'src="(lib/shiny-[^/"]+)/shiny(?:\.min)?\.js"', get(server.port, "/")[1])
    status, body = get(server.port, path.format(asset=asset.group(1) if asset else "lib"))
    assert status in (403, 404)
    for content in ("root:", "[project]", "unit_types", "seats_per_sortie"):
        assert content not in body


def test_its_own_assets_are_served(server):
    _, page = get(server.port, "/")
    script = re.search(r'src="(lib/shiny-[^"]+\.js)"', page)
    assert script, "the page names no shiny script"
    status, body = get(server.port, "/" + script.group(1))
    assert status == 200 and "Shiny" in body


def test_it_listens_on_this_machine_only(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass
    address = other_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, server.port), timeout=5).close()


# The command -----------------------------------------------------------------------------------
def test_a_busy_port_is_one_line_and_exit_code_2(server):
    done = sim_app(server.folder, "--port", str(server.port))
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: --port {server.port}: cannot listen on 127.0.0.1")
    assert server.process.poll() is None  # the server in the way goes on


def test_no_scenarios_folder_is_an_error(tmp_path):
    done = sim_app(tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: ") and "no ./scenarios folder" in line


def test_the_help_says_how_to_stop_it(tmp_path):
    done = sim_app(tmp_path, "--help")
    assert done.returncode == 0
    assert "Ctrl+C" in done.stdout and "127.0.0.1" in done.stdout


def test_a_yaml_file_that_is_no_scenario_is_left_out_saying_why(tmp_path, experiment_file):
    for name in ("base.yaml", "advisory.yaml"):
        shutil.copy(ROOT / "scenarios" / name, tmp_path / name)
    experiment = experiment_file(tmp_path, name="tiny")
    (tmp_path / "foo.yaml").write_text("foo: 1\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    shutil.copy(ROOT / "scenarios" / "status-quo.yaml", tmp_path / "sub" / "status-quo.yaml")
    options, skipped = find_options([tmp_path])
    assert [o.name for o in options] == ["advisory", "base"]  # not the sub-folder's
    assert len(skipped) == 2
    for path, line in zip([tmp_path / "foo.yaml", experiment], sorted(skipped), strict=True):
        with pytest.raises(ScenarioError) as why:
            load_scenario(path)
        assert line == f"{path}: left out ({why.value})"


# LocalOnly, called directly ---------------------------------------------------------------------
PORT = 8123


def call(scope_type: str, headers: dict[str, str]) -> tuple[list[dict], bool]:
    """What ``LocalOnly`` sends for a request with ``headers``, and whether it let it through."""
    passed = []

    async def app(scope, receive, send):
        passed.append(scope)

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {
        "type": scope_type,
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
    }
    asyncio.run(LocalOnly(app, PORT)(scope, receive, send))
    return sent, bool(passed)


@pytest.mark.parametrize("kind", ["http", "websocket"])
@pytest.mark.parametrize(
    "headers",
    [
        {"Host": f"127.0.0.1:{PORT}"},
        {"Host": f"localhost:{PORT}"},
        {"Host": f"127.0.0.1:{PORT}", "Origin": f"http://127.0.0.1:{PORT}"},
        {"Host": f"localhost:{PORT}", "Origin": f"http://localhost:{PORT}"},
    ],
)
def test_local_requests_pass(kind, headers):
    sent, passed = call(kind, headers)
    assert passed and sent == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Host": "127.0.0.1"},
        {"Host": f"127.0.0.1:{PORT + 1}"},
        {"Host": f"evil.example:{PORT}"},
        {"Host": f"127.0.0.1:{PORT}.evil.example"},
        {"Host": f"127.0.0.1:{PORT}", "Origin": "http://evil.example"},
        {"Host": f"127.0.0.1:{PORT}", "Origin": f"http://127.0.0.1:{PORT + 1}"},
        {"Host": f"127.0.0.1:{PORT}", "Origin": ""},
    ],
)
def test_other_requests_are_refused(headers):
    sent, passed = call("http", headers)
    assert not passed
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 403
    assert sent[1] == {"type": "http.response.body", "body": b"sim app: local use only\n"}
    sent, passed = call("websocket", headers)
    assert not passed
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_the_servers_own_events_pass():
    passed = []

    async def app(scope, receive, send):
        passed.append(scope["type"])

    async def nothing(*args):
        return None

    asyncio.run(LocalOnly(app, PORT)({"type": "lifespan"}, nothing, nothing))
    assert passed == ["lifespan"]
