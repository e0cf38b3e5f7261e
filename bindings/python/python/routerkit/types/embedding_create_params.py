"""``openai.types.embedding_create_params``."""

from __future__ import annotations

from typing import Iterable, List, Literal, TypedDict, Union

__all__ = ["EmbeddingCreateParams"]


class _EmbeddingCreateParamsRequired(TypedDict):
    input: Union[str, List[str], Iterable[int], Iterable[Iterable[int]]]
    model: str


class EmbeddingCreateParams(_EmbeddingCreateParamsRequired, total=False):
    dimensions: int
    encoding_format: Literal["float", "base64"]
    user: str
