"""Embeddings as openai-python asks for them: with no ``encoding_format`` given, the request
asks for ``"base64"`` (a quarter of the bytes of the JSON floats) and the answer's base64
strings are decoded back to lists of floats; a given format is sent and answered as given.
"""

from __future__ import annotations

import array
import base64
import sys
from typing import Any, Callable, Dict, Optional

__all__ = ["default_encoding"]


def _decode(obj: Any) -> Any:
    data = getattr(obj, "data", None)
    if not data:
        raise ValueError("No embedding data received")
    for entry in data:
        value = getattr(entry, "embedding", None)
        if isinstance(value, str):
            floats = array.array("f", base64.b64decode(value))
            if sys.byteorder != "little":
                floats.byteswap()  # the wire format is little-endian float32
            entry.__dict__["embedding"] = floats.tolist()
    return obj


def default_encoding(params: Dict[str, Any]) -> Optional[Callable[[Any], Any]]:
    """Sets ``encoding_format="base64"`` in ``params`` when the caller gave none, and returns the
    decoder to apply to the response then (``None`` when the caller chose the format)."""
    from ._client import NotGiven

    if "encoding_format" in params and not isinstance(params["encoding_format"], NotGiven):
        return None
    params["encoding_format"] = "base64"
    return _decode
