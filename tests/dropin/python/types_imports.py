# The import paths typed programs use: openai.types, openai.types.chat, openai.types.responses and their modules.
import os
from typing import List

from openai import OpenAI
from openai.types import (
    Completion,
    CompletionChoice,
    CompletionUsage,
    CreateEmbeddingResponse,
    Embedding,
    Model,
    Moderation,
    ModerationCreateResponse,
)
from openai.types.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionToolParam,
    ChatCompletionUserMessageParam,
)
from openai.types.chat.chat_completion import Choice
from openai.types.chat.chat_completion_chunk import ChoiceDelta
from openai.types.responses import (
    EasyInputMessageParam,
    FunctionToolParam,
    Response,
    ResponseFunctionToolCallParam,
    ResponseInputItemParam,
    ResponseInputParam,
    ResponseInputTextParam,
    ResponseStreamEvent,
    ResponseUsage,
    ToolParam,
)
from openai.types.responses.response_input_param import FunctionCallOutput, Message
from openai.types.responses.response_output_item import ResponseOutputItem
from openai.types.shared_params import FunctionDefinition

client = OpenAI(default_headers={"x-mock-session": os.environ["MOCK_SESSION"]})

system: ChatCompletionSystemMessageParam = {"role": "system", "content": "be brief"}
user: ChatCompletionUserMessageParam = {"role": "user", "content": "typed hello"}
messages: List[ChatCompletionMessageParam] = [system, user]
weather: FunctionDefinition = {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}
tools: List[ChatCompletionToolParam] = [{"type": "function", "function": weather}]


def answer(messages: List[ChatCompletionMessageParam]) -> ChatCompletion:
    return client.chat.completions.create(model="m", messages=messages, tools=tools)


completion = answer(messages)
print(isinstance(completion, ChatCompletion), isinstance(completion.choices[0], Choice))
print(isinstance(completion.choices[0].message, ChatCompletionMessage), isinstance(completion.usage, CompletionUsage))
print(completion.choices[0].message.content)
for chunk in client.chat.completions.create(model="m", messages=messages, stream=True):
    assert isinstance(chunk, ChatCompletionChunk)
    if chunk.choices and isinstance(chunk.choices[0].delta, ChoiceDelta) and chunk.choices[0].delta.role:
        print("role:", chunk.choices[0].delta.role)
emb = client.embeddings.create(model="e", input="x")
print(isinstance(emb, CreateEmbeddingResponse), isinstance(emb.data[0], Embedding))
print(all(isinstance(m, Model) for m in client.models.list()))


def complete(prompt: str) -> Completion:
    return client.completions.create(model="openai/gpt-3.5-turbo-instruct", prompt=prompt)


def moderate(text: str) -> ModerationCreateResponse:
    return client.moderations.create(model="omni-moderation-latest", input=text)


text = complete("typed prompt")
print(isinstance(text, Completion), isinstance(text.choices[0], CompletionChoice), text.choices[0].text)
for event in client.completions.create(model="openai/gpt-3.5-turbo-instruct", prompt="typed", stream=True):
    assert isinstance(event, Completion)
verdict = moderate("I will attack")
print(isinstance(verdict, ModerationCreateResponse), isinstance(verdict.results[0], Moderation))
print(verdict.results[0].flagged)


def respond(text: str) -> Response:
    return client.responses.create(model="openai/gpt-4.1", input=text)


reply = respond("Name three prime numbers.")
items: List[ResponseOutputItem] = reply.output
print(isinstance(reply, Response), isinstance(reply.usage, ResponseUsage), [item.type for item in items])
print(reply.output_text)
events: List[ResponseStreamEvent] = list(client.responses.create(model="openai/gpt-4.1", input="Count", stream=True))
print([event.type for event in events])

# The request side, as a typed function-calling loop builds it: a developer message with typed
# content, the user's question, the call the model made and its output sent back.
brief: ResponseInputTextParam = {"type": "input_text", "text": "Answer in one line."}
developer: Message = {"role": "developer", "content": [brief]}
question: EasyInputMessageParam = {"role": "user", "content": "Weather in Paris?"}
conversation: ResponseInputParam = [developer, question]
get_weather: FunctionToolParam = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    "strict": True,
}
response_tools: List[ToolParam] = [get_weather]


def replay(item: ResponseOutputItem) -> List[ResponseInputItemParam]:
    """The call item as input, then its output: what the next request sends back."""
    if item.type != "function_call":
        return []
    call: ResponseFunctionToolCallParam = {
        "type": "function_call",
        "call_id": item.call_id,
        "name": item.name,
        "arguments": item.arguments,
    }
    result: FunctionCallOutput = {"type": "function_call_output", "call_id": item.call_id, "output": "sunny"}
    return [call, result]


forced = client.responses.create(
    model="openai/gpt-4.1", input=conversation, tools=response_tools, tool_choice="required"
)
sent: List[ResponseInputItemParam] = []
for item in forced.output:
    sent += replay(item)
conversation += sent
print(len(conversation), [entry.get("type") for entry in sent])
print(client.responses.create(model="openai/gpt-4.1", input=conversation, tools=response_tools).output_text)
