"""``sim app`` started as a user starts it, in a folder holding a copy of ``scenarios/``,
with one more folder (``--scenarios``) holding a scenario whose texts are markup."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_TITLE = "<img src=x onerror=\"document.title='pwned'\"> Option <b>bold</b> & co"
HOSTILE_DESCRIPTION = "<script>document.title='pwned'</script> a description"


@dataclass
class Server:
    url: str
    port: int
    folder: Path  # the folder it was started in (scenarios/ and extra/ inside)
    process: subprocess.Popen


def start_app(folder: Path, *args: str) -> Server:
    """Start ``sim app`` in ``folder``; wait for the address it prints."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from sim.cli import main; main()", "app", *args],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "http://127.0.0.1:" in line:
            url = next(w for w in line.split() if w.startswith("http://"))
            port = int(url.rstrip("/").rsplit(":", 1)[1])
            return Server(url, port, folder, process)
    process.kill()
    raise AssertionError("sim app did not print its address:\n" + "".join(lines))


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("app")
    shutil.copytree(ROOT / "scenarios", folder / "scenarios")
    extra = folder / "extra"
    extra.mkdir()
    (extra / "markup.yaml").write_text(
        "extends: ../scenarios/status-quo.yaml\n"
        f"title: {json.dumps(HOSTILE_TITLE)}\n"
        f"description: {json.dumps(HOSTILE_DESCRIPTION)}\n",
        encoding="utf-8",
    )
    app = start_app(folder, "--scenarios", str(extra), "--workers", "2")
    yield app
    app.process.terminate()
    try:
        app.process.wait(10)
    except subprocess.TimeoutExpired:
        app.process.kill()
