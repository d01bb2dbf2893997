"""`fake_assistants.turns`: the turns a `respond_with` function returns, built and checked as the script's are."""

from __future__ import annotations

import pytest

from fake_assistants import FakeAssistants, turns
from fake_assistants.runs.script import Script


def test_each_function_builds_what_the_script_method_of_its_name_queues() -> None:
    script = Script()
    script.reply("Hi").say("Looking.").call_function("f", {"a": 1}).call_functions([("f", None), ("g", "{}")])
    script.code_interpreter("print(1)", "1").file_search("q").fail("rate_limit_exceeded").incomplete()
    script.break_stream("Bro", 2)

    built = [turns.reply("Hi"), turns.say("Looking."), turns.call_function("f", {"a": 1}),
             turns.call_functions([("f", None), ("g", "{}")]), turns.code_interpreter("print(1)", "1"),
             turns.file_search("q"), turns.fail("rate_limit_exceeded"), turns.incomplete(),
             turns.break_stream("Bro", 2)]

    assert built == [turn.action for turn in script.turns]


def test_a_mistake_is_named_as_this_modules_function() -> None:
    with pytest.raises(TypeError, match=r"^fake_assistants\.turns\.call_function: arguments must be a dict"):
        turns.call_function("f", ["Paris"])  # type: ignore[arg-type]
    with pytest.raises(TypeError) as caught:
        turns.reply(None)  # type: ignore[arg-type]
    assert str(caught.value).startswith("fake_assistants.turns.reply: text must be a str, not None;")
    assert "script no turn" not in str(caught.value)  # advice about scripting, not about a responder's answer
    with pytest.raises(ValueError, match="last_error code must be one of"):
        turns.fail("nope")


def test_a_responder_returning_a_turn_runs_it() -> None:
    fake = FakeAssistants(seed=0)
    client = fake.openai_client()
    fake.script.respond_with(lambda ctx: turns.call_function("get_weather", {"city": "Paris"}))
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[tool])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])

    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert run.status == "requires_action"
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    assert (call.function.name, call.function.arguments) == ("get_weather", '{"city":"Paris"}')
    client.close()
