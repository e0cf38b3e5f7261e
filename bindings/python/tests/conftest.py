"""Fixtures: one mock gateway per session (its first stdout line is its URL), a
fresh mock session per test, and clients pointed at it."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[3]
KEY = "sk-test-abcdefgh-SECRET-0123456789"


def _mock_binary() -> str:
    env = os.environ.get("ROUTERKIT_MOCK")
    if env:
        return env
    target = os.environ.get("CARGO_TARGET_DIR") or str(ROOT / "target")
    return str(Path(target) / "debug" / "routerkit-mock")


def start_mock(*args: str) -> Tuple["subprocess.Popen[bytes]", str]:
    """Starts a mock gateway (built if missing) and returns it with its URL (its first stdout line)."""
    binary = _mock_binary()
    if not os.path.exists(binary):
        subprocess.run(["cargo", "build", "-q", "-p", "routerkit-mock"], cwd=ROOT, check=True)
    proc = subprocess.Popen(
        [binary, "--port", "0", "--exit-on-stdin-close", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().decode().strip()


def stop_mock(proc: "subprocess.Popen[bytes]") -> None:
    """Closes the mock's stdin (it exits on that) and its stdout pipe."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.close()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
    proc.stdout.close()


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    proc, url = start_mock()
    assert url.startswith("http://127.0.0.1:"), url
    yield url
    stop_mock(proc)


class Mock:
    """One mock session: scripts, request log."""

    def __init__(self, url: str, sid: str) -> None:
        self.url = url
        self.base_url = url + "/v1"
        self.sid = sid

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}/__mock/{path}", data=data, method=method, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read()
        return json.loads(text) if text else None

    def script(self, steps: List[Dict[str, Any]]) -> None:
        self._control("POST", f"sessions/{self.sid}/script", steps)

    def requests(self) -> List[Dict[str, Any]]:
        return self._control("GET", f"sessions/{self.sid}/requests")  # type: ignore[no-any-return]

    def delete(self) -> None:
        self._control("DELETE", f"sessions/{self.sid}")

    def stats(self) -> Dict[str, Any]:
        return self._control("GET", "stats")  # type: ignore[no-any-return]

    def client_kwargs(self, **over: Any) -> Dict[str, Any]:
        kw: Dict[str, Any] = dict(
            api_key=KEY,
            base_url=self.base_url,
            default_headers={"x-mock-session": self.sid},
            initial_retry_delay=0.01,
            max_retry_delay=0.05,
        )
        kw.update(over)
        return kw


@pytest.fixture
def mock(mock_url: str) -> Mock:
    return Mock(mock_url, uuid.uuid4().hex)


@pytest.fixture
def client(mock: Mock) -> Any:
    import routerkit

    return routerkit.Client(**mock.client_kwargs())


@pytest.fixture
def aclient(mock: Mock) -> Any:
    import routerkit

    return routerkit.AsyncClient(**mock.client_kwargs())


def wait_for(pred: Any, timeout: float = 5.0) -> bool:
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return bool(pred())


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "slow: takes more than a second")
