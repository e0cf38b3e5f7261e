"""TLS: the mock gateway with ``--tls`` (a throw-away test CA); ``tls_ca_cert`` trusts
it, an unknown CA or a certificate for another name is refused with a clear
``APIConnectionError``, and plain ``http://`` to a non-loopback host is refused
(``param == "base_url"``) unless ``allow_insecure_http=True``."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest
import routerkit
from conftest import KEY, start_mock, stop_mock


def _start(tmp: Path, *extra: str) -> Tuple["subprocess.Popen[bytes]", str, Path]:
    ca = tmp / "mock-ca.pem"
    proc, url = start_mock("--tls", "--tls-ca-out", str(ca), *extra)
    assert url.startswith("https://127.0.0.1:"), url
    return proc, url, ca


@pytest.fixture(scope="module")
def tls_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[str, Path]]:
    proc, url, ca = _start(tmp_path_factory.mktemp("tls"))
    yield url, ca
    stop_mock(proc)


@pytest.fixture(scope="module")
def wrong_name_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[str, Path]]:
    proc, url, ca = _start(tmp_path_factory.mktemp("tls-name"), "--tls-name", "gateway.test")
    yield url, ca
    stop_mock(proc)


MESSAGES: List[Any] = [{"role": "user", "content": "over tls"}]
EXPECTED = "Hello from routerkit-mock! You said: over tls"


def _chat_and_stream(client: Any) -> None:
    r = client.chat.completions.create(model="openai/gpt-4.1", messages=MESSAGES)
    assert r.choices[0].message.content == EXPECTED
    with client.chat.completions.create(model="openai/gpt-4.1", messages=MESSAGES, stream=True) as stream:
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == EXPECTED


def test_tls_ca_cert_path_trusts_the_mock_ca(tls_mock: Tuple[str, Path]) -> None:
    url, ca = tls_mock
    port = url.rsplit(":", 1)[1]
    # A pathlib.Path and a str path; the certificate is for 127.0.0.1 and localhost.
    _chat_and_stream(routerkit.Client(api_key=KEY, base_url=url + "/v1", tls_ca_cert=ca))
    _chat_and_stream(routerkit.Client(api_key=KEY, base_url=f"https://localhost:{port}/v1", tls_ca_cert=str(ca)))


def test_tls_ca_cert_pem_bytes_and_text(tls_mock: Tuple[str, Path]) -> None:
    url, ca = tls_mock
    _chat_and_stream(routerkit.Client(api_key=KEY, base_url=url + "/v1", tls_ca_cert=ca.read_bytes()))
    _chat_and_stream(routerkit.Client(api_key=KEY, base_url=url + "/v1", tls_ca_cert=ca.read_text()))


def test_tls_ca_cert_async_and_with_options(tls_mock: Tuple[str, Path]) -> None:
    url, ca = tls_mock
    plain = routerkit.Client(api_key=KEY, base_url=url + "/v1", max_retries=0)
    _chat_and_stream(plain.with_options(tls_ca_cert=ca))

    async def run() -> None:
        client = routerkit.AsyncClient(api_key=KEY, base_url=url + "/v1", tls_ca_cert=ca)
        r = await client.chat.completions.create(model="openai/gpt-4.1", messages=MESSAGES)
        assert r.choices[0].message.content == EXPECTED
        stream = await client.chat.completions.create(model="openai/gpt-4.1", messages=MESSAGES, stream=True)
        text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        assert text == EXPECTED

    asyncio.run(run())


def _assert_certificate_refused(client: Any, why: str) -> None:
    """Both a chat and a stream fail with a certificate error that says `why`."""
    for stream in (False, True):
        with pytest.raises(routerkit.APIConnectionError) as e:
            client.chat.completions.create(model="openai/gpt-4.1", messages=MESSAGES, stream=stream)
        assert type(e.value) is routerkit.APIConnectionError, repr(e.value)
        assert str(e.value).startswith("TLS certificate verification failed"), str(e.value)
        assert why in str(e.value), str(e.value)
        assert KEY not in str(e.value)


def test_unknown_ca_is_refused(tls_mock: Tuple[str, Path]) -> None:
    url, _ = tls_mock
    client = routerkit.Client(api_key=KEY, base_url=url + "/v1", max_retries=0)
    _assert_certificate_refused(client, "not trusted")


def test_certificate_for_another_name_is_refused(wrong_name_mock: Tuple[str, Path]) -> None:
    url, ca = wrong_name_mock
    client = routerkit.Client(api_key=KEY, base_url=url + "/v1", tls_ca_cert=ca, max_retries=0)
    _assert_certificate_refused(client, "not issued for this host name")


@pytest.mark.parametrize("base_url", ["http://example.invalid/v1", "http://192.0.2.10:8080/v1"])
def test_plain_http_to_a_non_loopback_host_needs_allow_insecure_http(base_url: str) -> None:
    for cls in (routerkit.Client, routerkit.AsyncClient):
        with pytest.raises(ValueError) as e:
            cls(api_key=KEY, base_url=base_url)
        assert getattr(e.value, "param", None) == "base_url"
        assert "allow_insecure_http" in str(e.value)
        # Opting in builds the client; nothing is sent.
        assert cls(api_key=KEY, base_url=base_url, allow_insecure_http=True).base_url == base_url + "/"
    # Loopback is always fine.
    routerkit.Client(api_key=KEY, base_url="http://localhost:9/v1")


def test_bad_tls_ca_cert_names_the_parameter(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as e:
        routerkit.Client(api_key=KEY, base_url="https://x.test/v1", tls_ca_cert=tmp_path / "missing.pem")
    assert getattr(e.value, "param", None) == "tls_ca_cert"
    with pytest.raises(ValueError) as e:
        routerkit.Client(api_key=KEY, base_url="https://x.test/v1", tls_ca_cert=b"not a certificate")
    assert getattr(e.value, "param", None) == "tls_ca_cert"
    with pytest.raises(TypeError):
        routerkit.Client(api_key=KEY, base_url="https://x.test/v1", tls_ca_cert=123)  # type: ignore[arg-type]
