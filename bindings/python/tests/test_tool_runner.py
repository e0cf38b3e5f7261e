"""The tool runner's Python side against the mock: events as an iterator, the final results,
tool_context, pydantic-like results, async functions run together, close() mid-run. The
conversation rules themselves are the core's, pinned for every language by scenarios 230-238."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Dict, List

import pytest
import routerkit
from conftest import Mock, wait_for

MSG = [{"role": "user", "content": "What is the weather?"}]


class Weather:
    """Stands for a pydantic model: the runner sends its model_dump(mode="json")."""

    def __init__(self, city: str) -> None:
        self.city = city

    def model_dump(self, mode: str = "python") -> Dict[str, Any]:
        return {"city": self.city, "sky": "clear"}


def weather_tool(seen: List[Any]) -> Dict[str, Any]:
    import json

    def get_weather(args: Dict[str, Any], context: Any) -> Weather:
        seen.append(context)
        return Weather(args["city"])

    return {
        "type": "function",
        "function": {
            "function": get_weather,
            "parse": json.loads,
            "description": "Weather in a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }


def test_events_in_order_and_final_results(mock: Mock, client: Any) -> None:
    mock.script([{"tool_calls": [{"name": "get_weather", "arguments": '{"city":"Paris"}'}]}, {}])
    seen: List[Any] = []
    runner = client.chat.completions.run_tools(
        model="openai/gpt-4.1", messages=MSG, tools=[weather_tool(seen)], tool_context={"user": 7}
    )
    assert isinstance(runner, routerkit.ChatCompletionRunner)
    kinds = [e.type if e.type != "message" else f"message:{e.message['role']}" for e in runner]
    assert kinds == [
        "chat_completion",
        "message:assistant",
        "function_tool_call",
        "message:tool",
        "function_tool_call_result",
        "chat_completion",
        "message:assistant",
        "content",
    ]
    assert seen == [{"user": 7}], "tool_context reaches the function"
    assert runner.final_content() == 'Hello from routerkit-mock! Tool results: {"city":"Paris","sky":"clear"}'
    assert runner.final_function_tool_call().name == "get_weather"  # the function's own name
    assert runner.final_function_tool_call_result() == '{"city":"Paris","sky":"clear"}'
    assert [m["role"] for m in runner.messages] == ["user", "assistant", "tool", "assistant"]
    total = runner.total_usage()
    assert total.total_tokens == sum(c.usage.total_tokens for c in runner.all_chat_completions())
    assert runner.final_chat_completion().choices[0].message.content == runner.final_content()
    sent = mock.requests()[0]["body"]
    assert sent["tools"][0]["function"]["name"] == "get_weather" and sent["stream"] is False


def test_the_run_goes_as_far_as_it_is_read(mock: Mock, client: Any) -> None:
    mock.script([{"tool_calls": [{"name": "echo", "arguments": "x"}]}, {}])
    tools = [{"type": "function", "function": {"name": "echo", "description": "", "parameters": {}, "function": str}}]
    runner = client.chat.completions.run_tools(model="m", messages=MSG, tools=tools)
    assert mock.requests() == [], "nothing is sent before the runner is read"
    first = next(iter(runner))
    assert first.type == "chat_completion" and len(mock.requests()) == 1
    runner.close()
    assert len(mock.requests()) == 1, "close() stops the run"


def test_a_tool_that_raises_ends_the_run_with_its_exception(mock: Mock, client: Any) -> None:
    mock.script([{"tool_calls": [{"name": "boom", "arguments": "{}"}, {"name": "ok", "arguments": "{}"}]}, {}])
    ran: List[str] = []

    def boom(args: str) -> str:
        raise KeyError("boom")

    def ok(args: str) -> str:
        ran.append(args)
        return "fine"

    tools = [
        {"type": "function", "function": {"function": boom, "description": "", "parameters": {}}},
        {"type": "function", "function": {"function": ok, "description": "", "parameters": {}}},
    ]
    with pytest.raises(KeyError):
        client.chat.completions.run_tools(model="m", messages=MSG, tools=tools).until_done()
    assert ran == ["{}"], "the round's other calls still ran"
    assert len(mock.requests()) == 1


def test_async_functions_of_one_round_run_together(mock: Mock, aclient: Any) -> None:
    mock.script([{"tool_calls": [{"name": "slow", "arguments": "1"}, {"name": "slow", "arguments": "2"}]}, {}])

    async def slow(args: str) -> str:
        await asyncio.sleep(0.3)
        return args

    tools = [{"type": "function", "function": {"function": slow, "description": "", "parameters": {}}}]

    async def run() -> Any:
        runner = aclient.chat.completions.run_tools(model="m", messages=MSG, tools=tools, max_chat_completions=3)
        assert isinstance(runner, routerkit.AsyncChatCompletionRunner)
        started = time.monotonic()
        content = await runner.final_content()
        return content, time.monotonic() - started, runner

    content, elapsed, runner = asyncio.run(run())
    assert content == "Hello from routerkit-mock! Tool results: 1 | 2"
    assert elapsed < 0.55, f"the two calls took {elapsed:.2f}s: not run together"
    assert len(runner.all_chat_completions()) == 2


def test_the_streaming_runner_hands_out_every_rounds_events(mock: Mock, client: Any) -> None:
    mock.script([{"stream": {"tool_calls": [{"name": "echo", "arguments": "a"}]}}, {"stream": {"content": "one two"}}])
    tools = [{"type": "function", "function": {"name": "echo", "description": "", "parameters": {}, "function": str}}]
    with client.chat.completions.run_tools(model="m", messages=MSG, tools=tools, stream=True) as runner:
        deltas = [e.delta for e in runner if e.type == "content.delta"]
    assert deltas == ["one ", "two"]
    assert runner.final_content() == "one two"
    assert [r["body"]["stream"] for r in mock.requests()] == [True, True]


def test_max_chat_completions_ends_quietly(mock: Mock, client: Any) -> None:
    mock.script([{"tool_calls": [{"name": "echo", "arguments": "a"}]}] * 3)
    tools = [{"type": "function", "function": {"name": "echo", "description": "", "parameters": {}, "function": str}}]
    runner = client.chat.completions.run_tools(model="m", messages=MSG, tools=tools, max_chat_completions=2)
    assert runner.final_content() is None
    assert runner.max_chat_completions_reached
    assert wait_for(lambda: len(mock.requests()) == 2)
