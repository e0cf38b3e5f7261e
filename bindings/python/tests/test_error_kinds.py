"""The core's error kinds are all mapped: a kind added to the core fails here until
``routerkit._exceptions`` gives it a class."""

from __future__ import annotations

import routerkit
from routerkit import _exceptions
from routerkit._routerkit import NativeError, error_kinds


def test_every_core_error_kind_is_mapped() -> None:
    kinds = error_kinds()
    assert len(kinds) >= 7 and "status" in kinds
    unmapped = [k for k in kinds if k not in _exceptions._KIND and k not in _exceptions._BY_FIELDS]
    assert not unmapped, f"core error kinds without a Python class: {unmapped}"


def test_each_kind_converts_to_its_class() -> None:
    for kind in error_kinds():
        fields = {
            "kind": kind,
            "message": "m",
            "status": 500 if kind == "status" else None,
            "code": None,
            "type": None,
            "param": None,
            "field": "x",
            "body": None,
            "headers": [],
            "request_id": None,
            "retry_after_ms": 1500.0,
            "attempts": 1,
        }
        e = _exceptions._convert(NativeError(fields))
        assert isinstance(e, (routerkit.OpenAIError, routerkit.InvalidRequestError)), kind
        assert type(e) is not routerkit.APIError, f"{kind} falls back to the base class"
        if kind != "invalid_request":
            assert e.retry_after == 1.5  # type: ignore[attr-defined]
