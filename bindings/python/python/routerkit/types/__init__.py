"""``routerkit.types``: the names of openai-python's ``openai.types`` that routerkit's endpoints use,
laid out as openai-python lays them out (``routerkit.types.chat``, ``routerkit.types.chat.chat_completion``,
``routerkit.types.responses``…).
Responses are routerkit's light classes; request parameters are TypedDicts."""

from __future__ import annotations

from . import chat as chat
from . import responses as responses
from . import shared_params as shared_params
from .completion import Completion as Completion
from .completion_choice import CompletionChoice as CompletionChoice
from .completion_usage import CompletionUsage as CompletionUsage
from .create_embedding_response import CreateEmbeddingResponse as CreateEmbeddingResponse
from .embedding import Embedding as Embedding
from .embedding_create_params import EmbeddingCreateParams as EmbeddingCreateParams
from .model import Model as Model
from .moderation import Moderation as Moderation
from .moderation_create_response import ModerationCreateResponse as ModerationCreateResponse
from .shared_params import FunctionDefinition as FunctionDefinition
from .shared_params import FunctionParameters as FunctionParameters
