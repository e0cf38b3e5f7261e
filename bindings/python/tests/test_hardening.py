"""Hardening (issue 7), Python surface: the key never appears whole (every error kind,
the library's log fully on, repr/str/vars of clients and errors); a redirect to another
origin drops Authorization; CR/LF in key, model or header is refused naming the field;
bad input fails with TypeError/ValueError naming the parameter before anything is sent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import routerkit
from conftest import KEY, Mock, start_mock, stop_mock

HERE = Path(__file__).resolve().parent
MSG = [{"role": "user", "content": "hello"}]


def run_child(mock_url: str, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("ROUTERKIT_LOG", "OPENAI_LOG")}
    full.update(env)
    return subprocess.run(
        [sys.executable, str(HERE / "_secrets_child.py"), mock_url, KEY],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_key_never_appears_whole_with_the_log_fully_on(mock_url: str) -> None:
    out = run_child(mock_url, ROUTERKIT_LOG="debug")
    assert out.returncode == 0 and "CHILD-OK" in out.stdout, out.stdout + out.stderr
    for name, text in (("stdout", out.stdout), ("stderr", out.stderr)):
        for line in text.splitlines():
            assert KEY[8:] not in line, f"the key leaked into {name}: {line}"
            assert KEY[:9] not in line, f"more than 8 characters of the key in {name}: {line}"
    log = out.stderr
    for needle in (
        "DEBUG request POST",
        'authorization: "Bearer sk-test-…"',
        "INFO  response status=401",
        "WARN  retry attempt=1 failed (kind=status status=429",
        "ERROR call failed after attempt=2: kind=status status=500",
        "kind=connection",
        "kind=timeout",
        "kind=decode",
        "ERROR stream error",
        "kind=cancelled",
    ):
        assert needle in log, f"the log lacks {needle!r}:\n{log}"
    assert KEY[:8] + "…" in out.stdout


def test_logging_is_off_by_default_and_openai_log_is_the_fallback(mock_url: str) -> None:
    off = run_child(mock_url)
    assert off.returncode == 0, off.stderr
    assert "routerkit " not in off.stderr
    info = run_child(mock_url, OPENAI_LOG="info")
    assert info.returncode == 0, info.stderr
    assert "INFO  request POST" in info.stderr and "DEBUG" not in info.stderr


@pytest.fixture(scope="module")
def other_mock() -> Iterator[str]:
    proc, url = start_mock()
    yield url
    stop_mock(proc)


@pytest.mark.parametrize("status", [307, 302])
@pytest.mark.parametrize("stream", [False, True])
def test_a_redirect_to_another_origin_drops_authorization(
    mock: Mock, other_mock: str, status: int, stream: bool
) -> None:
    mock.script([{"status": status, "headers": {"location": f"{other_mock}/v1/chat/completions"}}])
    c = routerkit.Client(**mock.client_kwargs(max_retries=0))
    try:
        r = c.chat.completions.create(model="m", messages=MSG, stream=stream)
        if stream:
            list(r)
    except routerkit.NotFoundError:
        assert status == 302  # a 302 turns the POST into a GET, which the mock does not route
    assert mock.requests()[0]["headers"]["authorization"] == f"Bearer {KEY}"
    second = Mock(other_mock, mock.sid).requests()
    assert len(second) == 1, second
    assert "authorization" not in second[0]["headers"], second[0]["headers"]
    assert KEY[8:] not in repr(second[0])


@pytest.mark.parametrize("bad", ["\r", "\n", "\r\n"])
def test_cr_lf_in_key_model_or_header_is_refused_naming_the_field(mock: Mock, bad: str) -> None:
    with pytest.raises(ValueError) as e1:
        routerkit.Client(**mock.client_kwargs(api_key=f"sk-abc{bad}x-injected: 1"))
    assert e1.value.param == "api_key"  # type: ignore[attr-defined]
    with pytest.raises(ValueError) as e2:
        routerkit.Client(**mock.client_kwargs(default_headers={"x-title": f"a{bad}x-injected: 1"}))
    assert e2.value.param == "headers" and "x-title" in str(e2.value)  # type: ignore[attr-defined]
    c = routerkit.Client(**mock.client_kwargs())
    with pytest.raises(ValueError) as e3:
        c.chat.completions.create(model="m", messages=MSG, extra_headers={"x-title": f"a{bad}b"})
    assert e3.value.param == "headers"  # type: ignore[attr-defined]
    for stream in (False, True):
        with pytest.raises(ValueError) as e4:
            c.chat.completions.create(model=f"openai/gpt-4.1{bad}x", messages=MSG, stream=stream)
        assert e4.value.param == "model"  # type: ignore[attr-defined]
    with pytest.raises(ValueError) as e5:
        c.embeddings.create(model=f"m{bad}", input="x")
    assert e5.value.param == "model"  # type: ignore[attr-defined]
    assert mock.requests() == []


class Circular:
    pass


def _circular() -> Any:
    d: dict = {}
    d["self"] = d
    return d


@pytest.mark.parametrize(
    "kwargs,exc,param",
    [
        (dict(model=5, messages=MSG), TypeError, "model"),
        (dict(model=None, messages=MSG), TypeError, "model"),
        (dict(model="m", messages="hi"), TypeError, "messages"),
        (dict(model="m", messages=[{"content": "no role"}]), TypeError, "messages"),
        (dict(model="m", messages=MSG, temperature="hot"), TypeError, "temperature"),
        (dict(model="m", messages=MSG, max_tokens=1.5), TypeError, "max_tokens"),
        (dict(model="m", messages=MSG, n=0), ValueError, "n"),
        (dict(model="m", messages=MSG, temperature=float("nan")), ValueError, "temperature"),
        (dict(model="", messages=MSG), ValueError, "model"),
        (dict(model="m", messages=[]), ValueError, "messages"),
        (dict(model="m", messages=[{"role": "user", "content": object()}]), TypeError, "messages"),
        (dict(model="m", messages=MSG, metadata={"x": object()}), TypeError, "metadata"),
        (dict(model="m", messages=MSG, extra_body={"x": object()}), TypeError, "extra_body"),
        (dict(model="m", messages=MSG, extra_body={"x": lambda: 1}), TypeError, "extra_body"),
        (dict(model="m", messages=MSG, extra_body={"x": _circular()}), ValueError, "extra_body"),
        (dict(model="m", messages=MSG, timeout=-1), ValueError, "timeout"),
        (dict(model="m", messages=MSG, timeout="soon"), TypeError, "timeout"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_bad_call_input_names_the_parameter_before_sending(
    mock: Mock, client: Any, kwargs: Any, exc: type, param: str, stream: bool
) -> None:
    with pytest.raises(exc) as info:
        client.chat.completions.create(**kwargs, stream=stream)
    assert param in str(info.value), str(info.value)
    assert mock.requests() == []


def test_missing_model_or_messages_is_a_type_error(mock: Mock, client: Any) -> None:
    with pytest.raises(TypeError, match="model"):
        client.chat.completions.create(messages=MSG)
    with pytest.raises(TypeError, match="messages"):
        client.chat.completions.create(model="m")
    with pytest.raises((TypeError, ValueError), match="input"):
        client.embeddings.create(model="m")
    assert mock.requests() == []


@pytest.mark.parametrize(
    "kwargs,exc,param",
    [
        (dict(max_retries=-1), ValueError, "max_retries"),
        (dict(max_retries=101), ValueError, "max_retries"),
        (dict(max_retries=1.5), TypeError, "max_retries"),
        (dict(max_retries="3"), TypeError, "max_retries"),
        (dict(max_retries=True), TypeError, "max_retries"),
        (dict(timeout=-1.0), ValueError, "timeout"),
        (dict(timeout=0), ValueError, "timeout"),
        (dict(timeout="10"), TypeError, "timeout"),
        (dict(connect_timeout=-5), ValueError, "connect_timeout"),
        (dict(deadline=-1), ValueError, "deadline"),
        (dict(timeout=float("nan")), ValueError, "timeout"),
        (dict(initial_retry_delay=-1), ValueError, "initial_retry_delay"),
        (dict(default_headers={"x-a": object()}), TypeError, "default_headers"),
        (dict(api_key=12345), TypeError, "api_key"),
        (dict(base_url="not a url"), ValueError, "base_url"),
    ],
)
@pytest.mark.parametrize("cls", ["Client", "AsyncClient"])
def test_bad_client_options_name_the_parameter(mock: Mock, kwargs: Any, exc: type, param: str, cls: str) -> None:
    with pytest.raises(exc) as info:
        getattr(routerkit, cls)(**mock.client_kwargs(**kwargs))
    assert param in str(info.value), str(info.value)


@pytest.mark.parametrize(
    "kwargs,exc,param",
    [
        (dict(max_retries=-1), ValueError, "max_retries"),
        (dict(max_retries=101), ValueError, "max_retries"),
        (dict(max_retries=2.5), TypeError, "max_retries"),
        (dict(timeout=-1), ValueError, "timeout"),
    ],
)
def test_bad_with_options_name_the_parameter(mock: Mock, client: Any, kwargs: Any, exc: type, param: str) -> None:
    with pytest.raises(exc) as info:
        client.with_options(**kwargs)
    assert param in str(info.value), str(info.value)
    assert mock.requests() == []


@pytest.mark.parametrize(
    "value,exc",
    [(0, ValueError), (-1.0, ValueError), (float("nan"), ValueError), ("10", TypeError)],
)
def test_bad_per_call_keepalive_timeout_names_it_and_sends_nothing(
    mock: Mock, client: Any, value: Any, exc: type
) -> None:
    with pytest.raises(exc) as info:
        client.chat.completions.create(model="m", messages=MSG, stream=True, keepalive_timeout=value)
    assert "keepalive_timeout" in str(info.value), str(info.value)
    assert mock.requests() == []


@pytest.mark.parametrize("stream", [False, True])
def test_per_call_keepalive_timeout_is_an_option_not_a_body_field(mock: Mock, client: Any, stream: bool) -> None:
    # A routerkit option, like deadline: it must not reach the gateway as a request field.
    out = client.chat.completions.create(model="m", messages=MSG, stream=stream, keepalive_timeout=30)
    if stream:
        list(out)
    assert "keepalive_timeout" not in mock.requests()[0]["body"]
