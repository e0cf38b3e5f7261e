"""The route receipt in Python: ``response.receipt``, raw responses, ``stream.receipt``,
``err.receipt``, and the client's ``on_receipt`` hook (its exceptions included). The receipt's
fields themselves are pinned by the conformance scenarios (240-247) in every language."""

from __future__ import annotations

import asyncio
import sys
from typing import Any, List

import pytest
import routerkit
from conftest import KEY, Mock

MSG = [{"role": "user", "content": "hello"}]


def test_response_raw_response_and_error_receipts(mock: Mock) -> None:
    got: List[routerkit.Receipt] = []
    client = routerkit.Client(**mock.client_kwargs(on_receipt=got.append))
    mock.script([{"provider": "Groq", "cost": 0.5}])
    r = client.chat.completions.create(model="openai/gpt-4.1", messages=MSG)
    assert isinstance(r.receipt, routerkit.Receipt) and r.receipt is r.receipt  # parsed once, kept
    assert (r.receipt.provider, r.receipt.cost, r.receipt.complete) == ("Groq", 0.5, True)
    assert "receipt" not in r.model_dump()  # not a field of the body
    raw = client.chat.completions.with_raw_response.create(model="openai/gpt-4.1", messages=MSG)
    assert raw.receipt is not None and raw.receipt.model == "openai/gpt-4.1"
    mock.script([{"status": 503}, {"status": 400}])
    with pytest.raises(routerkit.BadRequestError) as e:
        client.chat.completions.create(model="openai/gpt-4.1", messages=MSG)
    assert [a.status for a in e.value.receipt.attempts] == [503, 400]
    assert [x.complete for x in got] == [True, True, True]
    assert got[-1].attempts[1].delay_reason == "backoff"
    assert KEY not in repr(got) and KEY not in str([x.to_dict() for x in got])


def test_a_hook_that_raises_does_not_break_the_call(mock: Mock, monkeypatch: Any) -> None:
    reported: List[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)

    def broken(_: routerkit.Receipt) -> None:
        raise RuntimeError("broken hook")

    client = routerkit.Client(**mock.client_kwargs(on_receipt=broken))
    r = client.chat.completions.create(model="openai/gpt-4.1", messages=MSG)
    assert r.choices[0].message.content
    assert len(reported) == 1 and isinstance(reported[0].exc_value, RuntimeError)
    with pytest.raises(TypeError):
        routerkit.Client(**mock.client_kwargs(on_receipt="not callable"))


def test_stream_receipt_and_the_hook_at_close(mock: Mock) -> None:
    got: List[routerkit.Receipt] = []
    client = routerkit.Client(**mock.client_kwargs(on_receipt=got.append))
    mock.script([{"stream": {"content": "a b c d e", "delay_ms_between": 30}}])
    stream = client.chat.completions.create(model="openai/gpt-4.1", messages=MSG, stream=True)
    next(iter(stream))
    during = stream.receipt
    assert during is not None and not during.complete and during.time_to_first_token_ms is not None
    assert not got
    stream.close()
    assert len(got) == 1 and got[0].complete and got[0].attempts[0].error == "cancelled"
    assert stream.receipt is not None and stream.receipt.complete


def test_with_options_keeps_the_hook_and_async_streams_report(mock: Mock) -> None:
    got: List[routerkit.Receipt] = []
    client = routerkit.AsyncClient(**mock.client_kwargs(on_receipt=got.append)).with_options(max_retries=0)

    async def run() -> None:
        stream = await client.chat.completions.create(model="openai/gpt-4.1", messages=MSG, stream=True)
        async for _ in stream:
            pass
        assert stream.receipt is not None and stream.receipt.complete

    asyncio.run(run())
    assert len(got) == 1 and got[0].output_tokens


def test_with_options_may_give_the_sibling_a_hook_of_its_own(mock: Mock) -> None:
    first: List[routerkit.Receipt] = []
    second: List[routerkit.Receipt] = []
    parent = routerkit.Client(**mock.client_kwargs(on_receipt=first.append))
    child = parent.with_options(on_receipt=second.append)
    child.chat.completions.create(model="openai/gpt-4.1", messages=MSG)
    parent.chat.completions.create(model="openai/gpt-4.1", messages=MSG)
    grandchild = child.with_options(max_retries=0)  # keeps the hook it was given, not the parent's
    grandchild.chat.completions.create(model="openai/gpt-4.1", messages=MSG)
    assert (len(first), len(second)) == (1, 2)
