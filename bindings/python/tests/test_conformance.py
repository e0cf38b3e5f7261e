"""Every scenario of tests/conformance/scenarios through routerkit's public Python API:
the sync and the async client; streams both through ``create(stream=True)`` and through
the ``chat.completions.stream(...)`` helper."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import routerkit
from conftest import ROOT, Mock, wait_for

SCENARIOS = sorted((ROOT / "tests" / "conformance" / "scenarios").glob("*.json"))
KEY = "sk-test-conformance-key"
# The operations this runner runs, by the explicit list of tests/conformance/runners.json:
# a scenario of another operation is skipped by that list only (see test_runner_operations).
RUNNER_OPS = json.loads((ROOT / "tests" / "conformance" / "runners.json").read_text())["python"]
# The operations run_sync and run_async dispatch.
HANDLED = [
    "chat",
    "chat_stream",
    "models",
    "models.retrieve",
    "embeddings",
    "completions",
    "completions_stream",
    "moderations",
    "responses",
    "responses_stream",
]


def _load(path: Path) -> Dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def _cases() -> List[Any]:
    cases = []
    for path in SCENARIOS:
        op = _load(path)["call"]["op"]
        if op not in RUNNER_OPS:
            continue
        surfaces = ["create", "helper"] if op in ("chat_stream", "responses_stream") else ["create"]
        for api in ("sync", "async"):
            for surface in surfaces:
                cases.append(pytest.param(path, api, surface, id=f"{path.stem}-{api}-{surface}"))
    return cases


KINDS = [
    (routerkit.InvalidRequestError, "invalid_request"),
    (routerkit.APITimeoutError, "timeout"),
    (routerkit.APIConnectionError, "connection"),
    (routerkit.APIStatusError, "status"),
    (routerkit.APIStreamError, "stream"),
    (routerkit.APIResponseValidationError, "decode"),
]


def kind_of(e: BaseException) -> str:
    for cls, kind in KINDS:
        if isinstance(e, cls):
            return kind
    return f"unexpected {type(e).__name__}"


def client_kwargs(mock: Mock, sc: Dict[str, Any]) -> Dict[str, Any]:
    c = sc.get("client", {})
    kw: Dict[str, Any] = {
        "api_key": KEY,
        "base_url": mock.url + c.get("base_url_suffix", "/v1"),
        "default_headers": {"x-mock-session": mock.sid, **(c.get("default_headers") or {})},
    }
    if c.get("initial_retry_delay_ms") is not None or c.get("max_retry_delay_ms") is not None:
        # Explicit delays: exactly those given; the core's rule resolves the other.
        if c.get("initial_retry_delay_ms") is not None:
            kw["initial_retry_delay"] = c["initial_retry_delay_ms"] / 1000
        if c.get("max_retry_delay_ms") is not None:
            kw["max_retry_delay"] = c["max_retry_delay_ms"] / 1000
    elif c.get("backoff") != "real":
        kw["initial_retry_delay"] = 0.001
        kw["max_retry_delay"] = 0.005
    if c.get("max_retries") is not None:
        kw["max_retries"] = c["max_retries"]
    if c.get("timeout_ms") is not None:
        kw["timeout"] = c["timeout_ms"] / 1000
    if c.get("connect_timeout_ms") is not None:
        kw["connect_timeout"] = c["connect_timeout_ms"] / 1000
    if c.get("deadline_ms") is not None:
        kw["deadline"] = c["deadline_ms"] / 1000
    if c.get("keepalive_timeout_ms") is not None:
        kw["keepalive_timeout"] = c["keepalive_timeout_ms"] / 1000
    if c.get("max_body_bytes") is not None:
        kw["max_body_bytes"] = c["max_body_bytes"]
    return kw


def call_kwargs(sc: Dict[str, Any]) -> Dict[str, Any]:
    """Keyword arguments of the call: the request and the per-call options."""
    opts = sc["call"].get("options", {})
    kw: Dict[str, Any] = dict(sc["call"].get("request", {}))
    if opts.get("headers"):
        kw["extra_headers"] = opts["headers"]
    if opts.get("timeout_ms") is not None:
        kw["timeout"] = opts["timeout_ms"] / 1000
    if opts.get("max_retries") is not None:
        kw["max_retries"] = opts["max_retries"]
    if opts.get("deadline_ms") is not None:
        kw["deadline"] = opts["deadline_ms"] / 1000
    if opts.get("keepalive_timeout_ms") is not None:
        kw["keepalive_timeout"] = opts["keepalive_timeout_ms"] / 1000
    return kw


class Observed:
    def __init__(self) -> None:
        self.ok = True
        self.error: Optional[BaseException] = None
        self.values: Dict[str, Any] = {}
        self.chunks = 0
        self.content = ""
        self.reasoning = ""
        self.finish_reason: Optional[str] = None
        self.usage: Optional[Dict[str, Any]] = None
        # The stream's own usage (``Stream.usage``, the helper's snapshot): the engine asks for usage on
        # every stream but hands the usage-only chunk over only to a caller who asked for it.
        self.call_usage: Any = None
        self.stream_attempts: Optional[int] = None
        # The route receipt: the result or stream it is read from (at the end, and after the
        # first chunk), what the client's on_receipt hook got.
        self.tracked: Any = None
        self.receipt: Optional[Dict[str, Any]] = None
        self.receipt_during: Optional[Dict[str, Any]] = None
        self.hooked: List[Dict[str, Any]] = []

    def track(self, x: Any) -> Any:
        self.tracked = x
        return x

    def during(self) -> None:
        if self.receipt_during is None and self.tracked is not None:
            r = self.tracked.receipt
            self.receipt_during = r.to_dict() if r is not None else {}

    def end_receipt(self) -> None:
        r = self.tracked.receipt if self.tracked is not None else getattr(self.error, "receipt", None)
        self.receipt = r.to_dict() if r is not None else None

    def chunk(self, c: Any) -> None:
        self.during()
        if c.choices or c.usage is not None:
            self.chunks += 1
        if c.usage is not None:
            self.usage = c.usage.model_dump()
        for choice in c.choices or []:
            if choice.index not in (0, None):
                continue
            d = choice.delta
            if d is not None:
                self.content += d.content or ""
                self.reasoning += (d.reasoning or "") + (d.reasoning_content or "")
            if choice.finish_reason is not None:
                self.finish_reason = choice.finish_reason

    def text_chunk(self, c: Any) -> None:
        """A chunk of a (legacy) completions stream: ``choices[].text``."""
        self.during()
        if c.choices or c.usage is not None:
            self.chunks += 1
        if c.usage is not None:
            self.usage = c.usage.model_dump()
        for choice in c.choices or []:
            if choice.index not in (0, None):
                continue
            self.content += choice.text or ""
            if choice.finish_reason is not None:
                self.finish_reason = choice.finish_reason

    def text_completion(self, r: Any) -> None:
        self.values["content"] = r.choices[0].text if r.choices else None
        self.values["finish_reason"] = r.choices[0].finish_reason if r.choices else None
        self.values["usage"] = r.usage.model_dump() if r.usage is not None else None
        self.values["attempts"] = r._attempts

    def completion(self, r: Any) -> None:
        msg = r.choices[0].message if r.choices else None
        self.values["content"] = msg.content if msg else None
        self.values["finish_reason"] = r.choices[0].finish_reason if r.choices else None
        self.values["usage"] = r.usage.model_dump() if r.usage is not None else None
        self.values["reasoning"] = (msg.reasoning or msg.reasoning_content) if msg else None
        self.values["tool_calls"] = [t.model_dump() for t in (msg.tool_calls or [])] if msg else []
        self.values["attempts"] = r._attempts

    def end_stream(self, final: Any = None) -> None:
        usage = self.usage
        if usage is None and self.call_usage is not None:
            usage = self.call_usage.model_dump()
        self.values.update(
            content=self.content,
            chunk_count=self.chunks,
            finish_reason=self.finish_reason,
            usage=usage,
            reasoning=self.reasoning,
            content_length=len(self.content.encode()),
            attempts=self.stream_attempts,
        )
        if final is not None:
            msg = final.choices[0].message if final.choices else None
            self.values["tool_calls"] = [t.model_dump() for t in (msg.tool_calls or [])] if msg else []
            self.values["final_usage"] = final.usage.model_dump() if final.usage is not None else None
            self.values["final_finish_reason"] = final.choices[0].finish_reason if final.choices else None
            self.values["final_content"] = msg.content if msg else None

    def response(self, r: Any, content: bool = True) -> None:
        """A Responses API response (a plain answer, or a stream's final response)."""
        if content:
            self.values["content"] = r.output_text
        self.values["status"] = r.status
        self.values["output_types"] = [i.type for i in r.output or []]
        self.values["function_calls"] = [
            {"call_id": i.call_id, "name": i.name, "arguments": i.arguments}
            for i in r.output or []
            if i.type == "function_call"
        ]
        reasoning = "".join(s.text for i in r.output or [] if i.type == "reasoning" for s in i.summary or [])
        self.values["reasoning"] = reasoning or None
        self.values["usage"] = r.usage.model_dump() if r.usage is not None else None
        if r._attempts is not None:
            self.values["attempts"] = r._attempts

    def event(self, ev: Any) -> None:
        """One event of a Responses stream: every event counts."""
        self.during()
        self.chunks += 1
        if ev.type == "response.output_text.delta":
            self.content += ev.delta
        if ev.type in ("response.completed", "response.incomplete"):
            self.response(ev.response, content=False)

    def end_events(self, final: Any = None) -> None:
        if final is not None:
            self.response(final, content=False)
            assert final.output_text == self.content or self.values.get("output_types") != ["message"]
        self.values.update(content=self.content, chunk_count=self.chunks, attempts=self.stream_attempts)

    def fail(self, e: BaseException) -> None:
        self.ok = False
        self.error = e
        self.values["chunks_before_error"] = self.chunks
        self.values["content_before_error"] = self.content
        self.values["attempts"] = getattr(e, "attempts", None)


def run_sync(mock: Mock, sc: Dict[str, Any], surface: str) -> Observed:
    kw = call_kwargs(sc)
    op = sc["call"]["op"]
    cancel_after = sc["call"].get("options", {}).get("cancel_after_chunks")
    obs = Observed()
    try:
        # Construction is part of the call: a configuration the core rejects is the call's error.
        client = routerkit.Client(**client_kwargs(mock, sc), on_receipt=lambda r: obs.hooked.append(r.to_dict()))
        if op == "chat":
            obs.completion(obs.track(client.chat.completions.create(**kw)))
        elif op == "models":
            obs.values["model_ids"] = [m.id for m in obs.track(client.models.list(**kw))]
        elif op == "embeddings":
            obs.values["embedding_count"] = len(obs.track(client.embeddings.create(**kw)).data)
        elif op == "models.retrieve":
            m = obs.track(client.models.retrieve(kw.pop("id"), **kw))
            obs.values["model_ids"] = [m.id]
            obs.values["attempts"] = m._attempts
        elif op == "completions":
            obs.text_completion(obs.track(client.completions.create(**kw)))
        elif op == "moderations":
            r = obs.track(client.moderations.create(**kw))
            obs.values["moderation_flagged"] = [m.flagged for m in r.results]
            obs.values["attempts"] = r._attempts
        elif op == "completions_stream":
            cs = obs.track(client.completions.create(stream=True, **kw))
            try:
                for c in cs:
                    obs.text_chunk(c)
            finally:
                obs.stream_attempts = cs._attempts
            obs.end_stream()
        elif op == "responses":
            obs.response(obs.track(client.responses.create(**kw)))
        elif op == "responses_stream" and surface == "create":
            rs = obs.track(client.responses.create(stream=True, **kw))
            try:
                for ev in rs:
                    obs.event(ev)
                    if cancel_after is not None and obs.chunks >= cancel_after:
                        rs.close()
                        break
            finally:
                obs.stream_attempts = rs._attempts
            obs.end_events()
        elif op == "responses_stream":
            with client.responses.stream(**kw) as h:
                obs.track(h)
                try:
                    for ev in h:
                        obs.event(ev)
                        if cancel_after is not None and obs.chunks >= cancel_after:
                            break
                finally:
                    obs.stream_attempts = h._attempts
                final = None if cancel_after is not None else h.get_final_response()
            obs.end_events(final)
        elif surface == "create":
            stream = obs.track(client.chat.completions.create(stream=True, **kw))
            try:
                for c in stream:
                    obs.chunk(c)
                    if cancel_after is not None and obs.chunks >= cancel_after:
                        stream.close()
                        break
            finally:
                obs.stream_attempts = stream._attempts
                obs.call_usage = stream.usage
            obs.end_stream()
        else:
            with client.chat.completions.stream(**kw) as s:
                obs.track(s)
                try:
                    for ev in s:
                        if ev.type == "chunk":
                            obs.chunk(ev.chunk)
                            if cancel_after is not None and obs.chunks >= cancel_after:
                                break
                finally:
                    obs.stream_attempts = s.response and s._native.attempts()
                    obs.call_usage = s.current_completion_snapshot.usage
                final = None if cancel_after is not None else s.get_final_completion()
            obs.end_stream(final)
    except routerkit.OpenAIError as e:
        obs.fail(e)
    obs.end_receipt()
    return obs


async def run_async(mock: Mock, sc: Dict[str, Any], surface: str) -> Observed:
    kw = call_kwargs(sc)
    op = sc["call"]["op"]
    cancel_after = sc["call"].get("options", {}).get("cancel_after_chunks")
    obs = Observed()
    try:
        # Construction is part of the call: a configuration the core rejects is the call's error.
        client = routerkit.AsyncClient(**client_kwargs(mock, sc), on_receipt=lambda r: obs.hooked.append(r.to_dict()))
        if op == "chat":
            obs.completion(obs.track(await client.chat.completions.create(**kw)))
        elif op == "models":
            obs.values["model_ids"] = [m.id for m in obs.track(await client.models.list(**kw))]
        elif op == "embeddings":
            obs.values["embedding_count"] = len(obs.track(await client.embeddings.create(**kw)).data)
        elif op == "models.retrieve":
            m = obs.track(await client.models.retrieve(kw.pop("id"), **kw))
            obs.values["model_ids"] = [m.id]
            obs.values["attempts"] = m._attempts
        elif op == "completions":
            obs.text_completion(obs.track(await client.completions.create(**kw)))
        elif op == "moderations":
            r = obs.track(await client.moderations.create(**kw))
            obs.values["moderation_flagged"] = [m.flagged for m in r.results]
            obs.values["attempts"] = r._attempts
        elif op == "completions_stream":
            cs = obs.track(await client.completions.create(stream=True, **kw))
            try:
                async for c in cs:
                    obs.text_chunk(c)
            finally:
                obs.stream_attempts = cs._attempts
            obs.end_stream()
        elif op == "responses":
            obs.response(obs.track(await client.responses.create(**kw)))
        elif op == "responses_stream" and surface == "create":
            rs = obs.track(await client.responses.create(stream=True, **kw))
            try:
                async for ev in rs:
                    obs.event(ev)
                    if cancel_after is not None and obs.chunks >= cancel_after:
                        await rs.aclose()
                        break
            finally:
                obs.stream_attempts = rs._attempts
            obs.end_events()
        elif op == "responses_stream":
            async with client.responses.stream(**kw) as h:
                obs.track(h)
                try:
                    async for ev in h:
                        obs.event(ev)
                        if cancel_after is not None and obs.chunks >= cancel_after:
                            break
                finally:
                    obs.stream_attempts = h._attempts
                final = None if cancel_after is not None else await h.get_final_response()
            obs.end_events(final)
        elif surface == "create":
            stream = obs.track(await client.chat.completions.create(stream=True, **kw))
            try:
                async for c in stream:
                    obs.chunk(c)
                    if cancel_after is not None and obs.chunks >= cancel_after:
                        await stream.aclose()
                        break
            finally:
                obs.stream_attempts = stream._attempts
                obs.call_usage = stream.usage
            obs.end_stream()
        else:
            async with client.chat.completions.stream(**kw) as s:
                obs.track(s)
                try:
                    async for ev in s:
                        if ev.type == "chunk":
                            obs.chunk(ev.chunk)
                            if cancel_after is not None and obs.chunks >= cancel_after:
                                break
                finally:
                    obs.stream_attempts = s._native.attempts()
                    obs.call_usage = s.current_completion_snapshot.usage
                final = None if cancel_after is not None else await s.get_final_completion()
            obs.end_stream(final)
    except routerkit.OpenAIError as e:
        obs.fail(e)
    obs.end_receipt()
    return obs


def subset(expected: Any, actual: Any, where: str = "") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for k, v in expected.items():
            assert k in actual, f"{where}.{k}: missing in {actual!r}"
            subset(v, actual[k], f"{where}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual!r} != {expected!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            subset(e, a, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def check_receipt(what: str, want: Dict[str, Any], got: Optional[Dict[str, Any]]) -> None:
    """``expect.receipt`` / ``expect.receipt_during`` (tests/conformance/README.md)."""
    assert got is not None, f"{what}: no receipt"
    for key, w in want.items():
        if key == "hook_calls":
            continue
        if key == "present":
            for k in w:
                assert got.get(k) is not None, f"{what}.{k}: expected a value, got None"
        elif key == "min_time_to_first_token_ms":
            t = got.get("time_to_first_token_ms")
            assert t is not None and t >= w, f"{what}.time_to_first_token_ms: {t} < {w}"
        elif key == "gateway_headers":
            pairs = [tuple(p) for p in got["gateway_headers"]]
            for name, value in w.items():
                assert (name, value) in pairs, f"{what}.gateway_headers: {name}: {value} not in {pairs}"
        elif key == "attempts":
            assert len(got["attempts"]) == len(w), f"{what}.attempts: {got['attempts']}"
            for i, (wa, ga) in enumerate(zip(w, got["attempts"])):
                for k, v in wa.items():
                    if k == "min_delay_ms":
                        assert ga["delay_ms"] >= v, f"{what}.attempts[{i}]: {ga}"
                    elif k == "max_delay_ms":
                        assert ga["delay_ms"] <= v, f"{what}.attempts[{i}]: {ga}"
                    else:
                        assert ga.get(k) == v, f"{what}.attempts[{i}].{k}: {ga.get(k)!r} != {v!r}"
        elif w is None:
            assert got.get(key) is None, f"{what}.{key}: {got.get(key)!r} is not None"
        else:
            subset(w, got.get(key), f"{what}.{key}")


def check(mock: Mock, sc: Dict[str, Any], obs: Observed, elapsed_ms: float, surface: str) -> None:
    ex = sc["expect"]
    if ex.get("ok", True):
        assert obs.ok, f"unexpected error {type(obs.error).__name__}: {obs.error}"
    else:
        assert not obs.ok, f"expected an error, got {obs.values}"
        e = obs.error
        want = ex.get("error", {})
        if "kind" in want:
            assert kind_of(e) == want["kind"], f"{type(e).__name__}: {e}"  # type: ignore[arg-type]
        if "status" in want:
            assert e.status_code == want["status"]  # type: ignore[union-attr]
        for field in ("code", "type", "param", "request_id"):
            if field in want:
                assert getattr(e, field) == want[field], (field, getattr(e, field))
        if "message_contains" in want:
            assert want["message_contains"] in str(e), str(e)
        if "message_not_contains" in want:
            assert want["message_not_contains"] not in str(e) and want["message_not_contains"] not in repr(e), repr(e)
        if "retry_after_ms" in want:
            assert e.retry_after is not None and abs(e.retry_after * 1000 - want["retry_after_ms"]) < 1000  # type: ignore[union-attr]
        assert str(e) and KEY not in str(e) and KEY not in repr(e)
    v = obs.values
    helper_final = surface == "helper" and "tool_calls" in v
    for key in (
        "content",
        "chunk_count",
        "content_length",
        "chunks_before_error",
        "content_before_error",
        "attempts",
        "model_ids",
        "embedding_count",
        "moderation_flagged",
        "reasoning",
        "status",
        "output_types",
        "function_calls",
    ):
        if key in ex:
            assert v.get(key) == ex[key], (key, v.get(key), ex[key])
    if "finish_reason" in ex:
        assert v.get("finish_reason") == ex["finish_reason"]
        if helper_final:
            assert v["final_finish_reason"] == ex["finish_reason"]
    if "usage" in ex:
        if ex["usage"] is None:
            assert v.get("usage") is None
        else:
            subset(ex["usage"], v.get("usage"), "usage")
            if helper_final:
                subset(ex["usage"], v["final_usage"], "final usage")
    if "tool_calls" in ex and (sc["call"]["op"] == "chat" or surface == "helper"):
        subset(ex["tool_calls"], v.get("tool_calls"), "tool_calls")
    if helper_final and "content" in ex and ex["content"] is not None:
        assert v["final_content"] == ex["content"]
    if "min_elapsed_ms" in ex:
        assert elapsed_ms >= ex["min_elapsed_ms"], elapsed_ms
    if "max_elapsed_ms" in ex:
        assert elapsed_ms <= ex["max_elapsed_ms"], elapsed_ms
    requests = mock.requests()
    if "request_count" in ex:
        assert len(requests) == ex["request_count"], [r["path"] for r in requests]
    for i, want in enumerate(ex.get("requests", [])):
        got = requests[i]
        for field in ("method", "path", "query"):
            if field in want:
                assert got[field] == want[field]
        for name, value in want.get("headers", {}).items():
            assert got["headers"].get(name.lower()) == value, (name, got["headers"].get(name.lower()))
        if "body_subset" in want:
            subset(want["body_subset"], got["body"], "body")
        for name in want.get("body_absent", []):
            assert name not in (got["body"] or {}), name
        for pointer, keys in want.get("body_key_order", {}).items():
            # json.loads keeps the order of the bytes the mock received.
            node: Any = json.loads(got["body_text"])
            for part in [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]:
                node = node[int(part)] if isinstance(node, list) else node[part]
            assert list(node) == keys, (pointer, list(node), keys)
    if "receipt" in ex:
        check_receipt("receipt", ex["receipt"], obs.receipt)
        if "hook_calls" in ex["receipt"]:
            assert len(obs.hooked) == ex["receipt"]["hook_calls"], obs.hooked
            for h in obs.hooked:
                check_receipt("hook receipt", ex["receipt"], h)
    if "receipt_during" in ex:
        check_receipt("receipt_during", ex["receipt_during"], obs.receipt_during)
    if "client_disconnected" in ex:
        assert wait_for(lambda: mock.requests()[-1]["client_disconnected"] == ex["client_disconnected"])


@pytest.mark.parametrize("path,api,surface", _cases())
def test_scenario(mock: Mock, path: Path, api: str, surface: str) -> None:
    sc = _load(path)
    mock.script(sc.get("mock", []))
    start = time.monotonic()
    if api == "sync":
        obs = run_sync(mock, sc, surface)
    else:
        obs = asyncio.run(run_async(mock, sc, surface))
    elapsed_ms = (time.monotonic() - start) * 1000
    check(mock, sc, obs, elapsed_ms, surface)
    mock.delete()


def test_scenarios_exist() -> None:
    assert SCENARIOS, "no conformance scenarios found"


def test_runner_operations() -> None:
    # The list in runners.json is what this runner dispatches: an operation is skipped only by it.
    assert RUNNER_OPS == HANDLED, (RUNNER_OPS, HANDLED)
    skipped = [p.name for p in SCENARIOS if _load(p)["call"]["op"] not in RUNNER_OPS]
    ran = [p.name for p in SCENARIOS if _load(p)["call"]["op"] in RUNNER_OPS]
    assert ran and len(ran) + len(skipped) == len(SCENARIOS)
    print(f"conformance: {len(skipped)} scenarios of operations this runner lacks skipped: {skipped}")
