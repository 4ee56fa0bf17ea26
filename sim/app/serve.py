"""Serve the app on this machine only.

The server listens on 127.0.0.1 alone (a free port unless one is given). Two more checks
keep other machines and other web pages out: a request must name this machine as its host
(a DNS-rebinding page names its own), and a request a browser sends from another page
(its ``Origin``) must come from the app's own address; a web page elsewhere cannot drive
the app's websocket. Nothing but the app's page, Shiny's own assets and the downloads of
a session's own results is served.
"""

from __future__ import annotations

import os
import socket
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sim.app.controls import Option, read_option
from sim.errors import ScenarioError

HOST = "127.0.0.1"
LOCAL_NAMES = ("127.0.0.1", "localhost")


def find_options(folders: Iterable[Path]) -> tuple[list[Option], list[str]]:
    """The scenarios in ``folders`` (their ``*.yaml`` files, not sub-folders), and a line
    for each file left out (an experiment, or a scenario that does not load)."""
    options, skipped = [], []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.yaml")):
            try:
                options.append(read_option(path.resolve()))
            except ScenarioError as err:
                skipped.append(f"{path}: left out ({' '.join(str(err).split())})")
    return options, skipped


class LocalOnly:
    """ASGI middleware: refuse a request that names another host, or that a browser sent
    from a page with another origin."""

    def __init__(self, app: Any, port: int) -> None:
        self.app, self.port = app, port
        self.hosts = {f"{name}:{port}" for name in LOCAL_NAMES}
        self.origins = {f"http://{host}" for host in self.hosts}

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            host, origin = headers.get("host", ""), headers.get("origin")
            if host not in self.hosts or (origin is not None and origin not in self.origins):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await send(
                    {
                        "type": "http.response.start",
                        "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                    }
                )
                await send({"type": "http.response.body", "body": b"sim app: local use only\n"})
                return
        await self.app(scope, receive, send)


def bind(port: int | None) -> socket.socket:
    """A socket on 127.0.0.1 at ``port`` (a free one if None)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port or 0))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(
    options: list[Option],
    sock: socket.socket,
    workers: int | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the app on ``sock`` until interrupted (Ctrl+C)."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # charts are drawn off screen, in threads
    import uvicorn

    from sim.app.page import make_app

    port = sock.getsockname()[1]
    app = LocalOnly(make_app(options, workers), port)
    announce(f"sim app: http://{HOST}:{port}/  (press Ctrl+C to stop)")
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        uvicorn.Server(config).run(sockets=[sock])
