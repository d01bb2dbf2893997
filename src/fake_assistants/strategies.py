"""Hypothesis strategies for property-testing code that uses the Assistants API. Needs `hypothesis`.

- `run_histories()`: every legal history of one run, as a `RunHistory`: rounds of parallel function calls the
  app must answer, code_interpreter and file_search steps, and an ending: a reply, a failure with each real
  `last_error` code, a broken stream, each `incomplete` reason, a cancellation by someone else, or expiry.
  `history.apply(fake)` scripts it; `history.final_status` is where the run must end. Given the app's function
  `tools=`, each call's arguments are drawn from that function's JSON schema (hypothesis-jsonschema; the
  `hypothesis` extra), or from `arguments={name: strategy}`.
- `assistant_payloads()`, `thread_payloads()`, `message_payloads()`, `run_payloads(assistant_id)`,
  `vector_store_payloads()`: valid bodies of each create endpoint, as keyword arguments for the SDK's
  `create` methods (`client.beta.assistants.create(**payload)`).

`import fake_assistants` does not import this module (nor hypothesis).
"""

from __future__ import annotations

import functools
import json
import string
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from weakref import WeakKeyDictionary

from hypothesis import strategies as st

from .core.types import Json
from .runs.script import (
    DEFAULT_FAILURE_MESSAGES,
    INCOMPLETE_REASONS,
    LAST_ERROR_CODES,
    Action,
    BrokenStream,
    CodeInterpreter,
    Fail,
    FileSearch,
    FunctionCalls,
    Incomplete,
    Reply,
    Turn,
    arguments_json,
)
from .runs.tool_choice import ToolChoice

if TYPE_CHECKING:
    from .fake import FakeAssistants
    from .model.run import Run
    from .model.run_status import RunStatus

EndingKind = Literal["reply", "fail", "broken_stream", "incomplete", "cancelled", "expired"]
ENDING_KINDS: tuple[EndingKind, ...] = ("reply", "fail", "broken_stream", "incomplete", "cancelled", "expired")
DEFAULT_FUNCTIONS = ("get_weather", "search_docs")
MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4-turbo")


# -- run histories ---------------------------------------------------------------------------------------


BuiltinStep = CodeInterpreter | FileSearch


@dataclass(frozen=True, slots=True)
class ToolRound:
    """Built-in tool steps the run takes by itself, then parallel function calls the app must answer."""

    calls: FunctionCalls
    steps: tuple[BuiltinStep, ...] = ()


@dataclass(frozen=True, slots=True)
class Cancelled:
    """Someone else cancels the run. With no rounds: before it starts (on its first read). Else once the app
    has seen it wait for the outputs of its last round: submitting them then fails with a 400 (the run is
    `cancelling`), and the next read shows it `cancelled`."""


@dataclass(frozen=True, slots=True)
class Expired:
    """The app takes more than ten minutes to answer the last round (a `ManualClock` is moved once the app has
    seen it): submitting the outputs then fails with a 400, and the run reads as `expired`."""


Outcome = Reply | Fail | BrokenStream | Incomplete
Ending = Outcome | Cancelled | Expired
FINAL_STATUS: dict[type[Any], str] = {
    Reply: "completed", Fail: "failed", BrokenStream: "failed", Incomplete: "incomplete",
    Cancelled: "cancelled", Expired: "expired",
}


@dataclass(frozen=True, slots=True)
class RunHistory:
    """One run's legal history: `rounds` of function calls, built-in `steps`, then its `ending`."""

    rounds: tuple[ToolRound, ...] = ()
    steps: tuple[BuiltinStep, ...] = ()
    ending: Ending = field(default_factory=lambda: Reply("Done."))

    def __post_init__(self) -> None:
        if isinstance(self.ending, Cancelled | Expired) and self.steps:
            raise ValueError("a cancelled or expired run takes no steps after its last round")
        if isinstance(self.ending, Expired) and not self.rounds:
            raise ValueError("a run expires while it waits for tool outputs: give it at least one round")

    @property
    def final_status(self) -> str:
        """The status the run ends in."""
        return FINAL_STATUS[type(self.ending)]

    @property
    def actions(self) -> tuple[Action, ...]:
        """The scripted turns, in the order the run takes them."""
        actions: list[Action] = []
        for round_ in self.rounds:
            actions += [*round_.steps, round_.calls]
        actions += self.steps
        if isinstance(self.ending, Outcome):
            actions.append(self.ending)
        return tuple(actions)

    @property
    def function_calls(self) -> tuple[tuple[str, str], ...]:
        """Every (name, JSON arguments) the app is asked to run, round after round."""
        return tuple(call for round_ in self.rounds for call in round_.calls.calls)

    def apply(self, fake: FakeAssistants) -> None:
        """Script this history for the next run of `fake` (histories applied in turn go to runs in turn)."""
        if isinstance(self.ending, Expired) and not callable(getattr(fake.clock, "advance", None)):
            raise TypeError("an Expired history moves the fake's clock: build the fake with a ManualClock")
        fake.script.turns.extend(Turn(action) for action in self.actions)
        _interrupter(fake).pending.append(self)


class _Interrupter:
    """Plays the world outside the app: cancels runs and lets time pass, as the app reads and writes them."""

    def __init__(self, fake: FakeAssistants) -> None:
        self.fake = fake
        self.pending: deque[RunHistory] = deque()
        self.histories: dict[str, RunHistory] = {}
        self.revealed: set[str] = set()  # runs whose app has seen them wait on their last round
        self.on_read = fake.engine.on_read
        self.on_write = fake.engine.on_write
        self.on_advance = fake.engine.advance
        fake.engine.on_read = self.read  # type: ignore[method-assign]
        fake.engine.on_write = self.write  # type: ignore[method-assign]
        fake.engine.advance = self.advance  # type: ignore[method-assign]

    def read(self, run: Run, *, poll: bool, listed: bool = False) -> None:
        history = self._history_of(run)
        if history is None:
            self.on_read(run, poll=poll, listed=listed)
            return
        if self._cancelled_before_it_starts(run, history) or (
                isinstance(history.ending, Cancelled) and self._revealed_and_waiting(run)):
            self.fake.engine.cancel(run)
        self.on_read(run, poll=poll, listed=listed)
        if isinstance(history.ending, Cancelled | Expired) and self._waits_on_last_round(run, history):
            if run.id not in self.revealed and isinstance(history.ending, Expired):
                clock: Any = self.fake.clock  # a ManualClock, checked by `apply`
                clock.advance(max(0, (run.expires_at or 0) - clock.now()))
            self.revealed.add(run.id)

    def advance(self, run: Run) -> RunStatus:
        """`fake.advance` (manual progression) of a run cancelled before it starts cancels it, as its first read
        would: the run then moves `queued` -> `cancelling`, and the next advance (or read) makes it `cancelled`."""
        history = self._history_of(run)
        if history is not None and not self.fake.engine.expire_if_due(run) and self._cancelled_before_it_starts(
                run, history):
            self.fake.engine.cancel(run)
            return run.status
        return self.on_advance(run)

    @staticmethod
    def _cancelled_before_it_starts(run: Run, history: RunHistory) -> bool:
        """A `Cancelled` history without rounds, on a run still queued (once cancelled it is `cancelling`)."""
        return isinstance(history.ending, Cancelled) and not history.rounds and run.status == "queued"

    def write(self, run: Run) -> None:
        history = self.histories.get(run.id)
        if history is not None and isinstance(history.ending, Cancelled) and self._revealed_and_waiting(run):
            self.fake.engine.cancel(run)
        self.on_write(run)

    def _revealed_and_waiting(self, run: Run) -> bool:
        return run.id in self.revealed and run.status == "requires_action"

    def _history_of(self, run: Run) -> RunHistory | None:
        if run.id not in self.histories and self.pending:
            self.histories[run.id] = self.pending.popleft()
        return self.histories.get(run.id)

    def _waits_on_last_round(self, run: Run, history: RunHistory) -> bool:
        if run.status != "requires_action" or not history.rounds:
            return False
        function_steps = [
            step for step in self.fake.store.steps[run.id].values()
            if any(call["type"] == "function" for call in step.step_details.get("tool_calls", []))
        ]
        return len(function_steps) == len(history.rounds)


_INTERRUPTERS: WeakKeyDictionary[FakeAssistants, _Interrupter] = WeakKeyDictionary()


def _interrupter(fake: FakeAssistants) -> _Interrupter:
    if fake not in _INTERRUPTERS:
        _INTERRUPTERS[fake] = _Interrupter(fake)
    return _INTERRUPTERS[fake]


def texts(*, min_size: int = 1, max_size: int = 60) -> st.SearchStrategy[str]:
    """Printable text in any script: letters, digits, punctuation, symbols and spaces."""
    return st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=min_size, max_size=max_size)


def json_arguments() -> st.SearchStrategy[str]:
    """The JSON object a function call is made with."""
    values = st.one_of(st.integers(-1000, 1000), texts(min_size=0, max_size=20), st.booleans(), st.none())
    keys = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)
    return st.dictionaries(keys, values, max_size=4).map(arguments_json)


ArgumentStrategy = st.SearchStrategy[Json] | st.SearchStrategy[str]


def schema_arguments(schema: Json | None, *, name: str | None = None) -> st.SearchStrategy[str]:
    """The JSON arguments of a function whose `parameters` are `schema`, drawn from the schema itself
    (hypothesis-jsonschema). No schema: `{}`, as the model calls a function without parameters. Objects get the
    properties they declare (every required one, any of the others) and no others: the model sends only those,
    and an app that calls `tool(**arguments)` relies on it. `name`, the function's, is named in the errors of a
    schema that cannot be drawn. One strategy per schema and name, made once: `run_histories` asks for it in every
    example, and a check that refuses every value it drew (`_kept`) counts over all of them."""
    if not schema:
        return st.just("{}")
    try:
        text = json.dumps(schema)  # the properties in the order the schema declares them, as drawn
    except (TypeError, ValueError):  # not JSON: made anew each time
        return _schema_arguments(schema, name)
    return _made_once(text, name)


@functools.lru_cache(maxsize=256)
def _made_once(text: str, name: str | None) -> st.SearchStrategy[str]:
    return _schema_arguments(json.loads(text), name)


def _schema_arguments(schema: Json, name: str | None) -> st.SearchStrategy[str]:
    try:
        from hypothesis_jsonschema import from_schema
    except ImportError:
        raise ImportError(
            'arguments drawn from a tool\'s JSON schema need hypothesis-jsonschema: '
            'pip install "fake-assistants[hypothesis]" (or pass arguments={name: strategy})',
            name="hypothesis_jsonschema",
        ) from None
    try:
        return _from_schema(schema, _Leaf(from_schema, name)).map(arguments_json)
    except _Recursive:
        raise ValueError("this function's parameters schema refers to itself where it must go on (a required "
                         "property, an array of at least one): pass arguments={name: strategy} for it") from None


COMBINATORS = frozenset({"allOf", "anyOf", "oneOf", "not", "$ref", "if", "dependentRequired", "dependentSchemas",
                         "patternProperties", "propertyNames", "minProperties", "maxProperties", "enum", "const"})
# Keywords that constrain no value (JSON Schema's annotations, OpenAPI's and vendor `x-` keys): left out of what a
# schema asks for. The whole schema is still what a value is checked against where a filter checks it.
ANNOTATIONS = frozenset({"description", "title", "default", "examples", "example", "$comment", "$defs",
                         "definitions", "$schema", "discriminator", "deprecated", "readOnly", "writeOnly",
                         "externalDocs", "xml"})
ARRAY_KEYS = frozenset({"type", "items", "minItems", "maxItems", "uniqueItems"})  # what the array path keeps to


class _Recursive(Exception):
    """A `$ref` met again on its own path: the schema refers to itself, and the draw is cut there."""


def _from_schema(schema: Json, leaf: _Leaf, root: Json | None = None,
                 path: tuple[str, ...] = ()) -> st.SearchStrategy[Any]:
    """Objects built here, property by property (their declared properties only; hypothesis-jsonschema 0.23's own
    object generation fails on current hypothesis), and what holds them where nothing else constrains it: plain
    arrays (`items`, `minItems`, `maxItems`, `uniqueItems`), maps (`additionalProperties` a schema: pydantic's
    `dict[str, Model]`), `anyOf` and `oneOf` branches (pydantic's discriminated unions; a value that more than one
    branch takes is drawn again), a `type` list holding `"object"` or `"array"` (OpenAI's strict schemas write an
    optional object as `["object", "null"]`), a lone `allOf`, and local `$ref`s (`#/$defs/...`, as the SDK's
    `pydantic_function_tool` writes), resolved against the root schema. A schema that refers to itself is cut
    where it meets itself again: an empty array or map, an optional property left out, another branch. Every other
    schema goes to `leaf` (hypothesis-jsonschema), with the root's `$defs`."""
    root = schema if root is None else root
    own = _constraints(schema)
    reference = schema.get("$ref")
    if isinstance(reference, str) and own == {"$ref"}:
        target = _resolved(reference, root)
        if target is not None:
            if reference in path:
                raise _Recursive(reference)
            return _from_schema(target, leaf, root, (*path, reference))
    lone = schema.get("allOf")
    if isinstance(lone, list) and len(lone) == 1 and isinstance(lone[0], dict) and own == {"allOf"}:
        return _from_schema(lone[0], leaf, root, path)
    types = schema.get("type")
    if isinstance(types, list) and len(types) > 1 and {"object", "array"} & set(types) and not own & COMBINATORS:
        return _branches([{**schema, "type": kind} for kind in types], leaf, root, path)
    for combinator in ("anyOf", "oneOf"):
        branches = schema.get(combinator)
        if isinstance(branches, list) and own == {combinator}:
            drawn = _branches(branches, leaf, root, path)
            return drawn if combinator == "anyOf" else _kept(drawn, _taken_by_one(branches, root), schema, leaf.fix)
    items = schema.get("items")
    if schema.get("type") == "array" and isinstance(items, dict) and own <= ARRAY_KEYS:
        least = int(schema.get("minItems", 0))
        most = min(int(schema.get("maxItems", least + 3)), least + 3)
        try:
            element = _from_schema(items, leaf, root, path)
        except _Recursive:
            if least:
                raise
            return st.just([])
        if schema.get("uniqueItems"):
            return st.lists(element, min_size=least, max_size=most, unique_by=_canonical)
        return st.lists(element, min_size=least, max_size=most)
    if schema.get("type", "object") == "object" and own & {"allOf", "anyOf", "oneOf"}:
        alternatives = _object_alternatives(schema, root)
        if alternatives is not None:  # drawn as plain objects, kept only where the whole schema takes them
            return _kept(_branches(alternatives, leaf, root, path), _validator(schema, root), schema, leaf.fix)
    if schema.get("type") != "object" or COMBINATORS & own:
        return leaf(_inlined(schema, root))
    properties: dict[str, Json] = schema.get("properties") or {}
    others = schema.get("additionalProperties")
    undeclared = [name for name in schema.get("required") or [] if isinstance(name, str) and name not in properties]
    if undeclared:  # names required but not declared (a map's): drawn as its other values are
        value = others if isinstance(others, dict) and _constraints(others) else ANY_SCALAR
        properties = {**properties, **{name: value for name in undeclared}}
    if not properties:
        if others is False:
            return st.just({})
        keys = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)
        if isinstance(others, dict) and _constraints(others):  # every value is of this schema
            try:
                return st.dictionaries(keys, _from_schema(others, leaf, root, path), max_size=3)
            except _Recursive:
                return st.just({})
        values = st.one_of(st.integers(-1000, 1000), texts(min_size=0, max_size=20), st.booleans(), st.none())
        return st.dictionaries(keys, values, max_size=3)
    required = set(schema.get("required") or [])
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, sub in properties.items():
        if name not in required:
            try:
                optional[name] = _from_schema(sub, leaf, root, path)
            except _Recursive:
                continue  # left out where the schema meets itself again
    return st.fixed_dictionaries(
        {name: _from_schema(sub, leaf, root, path) for name, sub in properties.items() if name in required},
        optional=optional,
    )


class _Leaf:
    """hypothesis-jsonschema's `from_schema`, for the schemas this module does not draw itself; a draw it cannot make
    (its object generation fails on current hypothesis with its own AttributeError, from inside hypothesis) fails
    with a ValueError naming that part of the schema and the fix. `fix` names the function when it is known."""

    def __init__(self, from_schema: Callable[[Json], st.SearchStrategy[Any]], function: str | None) -> None:
        self.from_schema = from_schema
        self.fix = (f"pass arguments={{{function!r}: strategy}} for function {function!r}" if function is not None
                    else "pass arguments={name: strategy} for that function") + " (docs/guides/property-testing.md)"

    def __call__(self, schema: Json) -> st.SearchStrategy[Any]:
        strategy = self.from_schema(schema)

        @st.composite
        def drawn(draw: st.DrawFn) -> Any:
            try:
                return draw(strategy)
            except AttributeError as error:
                raise ValueError(f"hypothesis-jsonschema cannot draw this part of a function's parameters schema "
                                 f"({error}): {_shown(schema)}; {self.fix}") from error

        return drawn()


def _shown(schema: Json) -> str:
    """A part of a schema as the errors show it: without the `$defs` carried beside it, cut at 300 characters."""
    shown = json.dumps({key: value for key, value in schema.items() if key not in ("$defs", "definitions")})
    return shown if len(shown) <= 300 else shown[:300] + "…"


REFUSALS_BEFORE_GIVING_UP = 100  # values in a row a check refused, none ever taken: the check takes none


def _kept(strategy: st.SearchStrategy[Any], check: Callable[[Any], bool], schema: Json, fix: str
          ) -> st.SearchStrategy[Any]:
    """`strategy`'s values that `check` takes (the whole schema, or one `oneOf` branch only). A check that has
    refused a hundred values and taken none takes none at all (`oneOf` branches that every value matches): a
    ValueError says so, where hypothesis would leave the function out of every history without a word."""
    taken = refused = 0

    def keep(value: Any) -> bool:
        nonlocal taken, refused
        if check(value):
            taken += 1
            return True
        refused += 1
        if not taken and refused >= REFUSALS_BEFORE_GIVING_UP:
            raise ValueError(f"no value drawn for this part of a function's parameters schema is valid against it "
                             f"({refused} tried; `oneOf` branches that one value always matches together?): "
                             f"{_shown(schema)}; {fix}")
        return False

    return strategy.filter(keep)


def _branches(branches: list[Any], leaf: _Leaf, root: Json,
              path: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """A value of any one of `branches`, leaving out those that meet themselves again (none left: `_Recursive`)."""
    drawn = []
    for branch in branches:
        try:
            drawn.append(_from_schema(branch, leaf, root, path) if isinstance(branch, dict) else leaf(branch))
        except _Recursive:
            continue
    if not drawn:
        raise _Recursive(str(path[-1:]))
    return st.one_of(drawn)


def _taken_by_one(branches: list[Any], root: Json) -> Callable[[Any], bool]:
    """Whether a value is valid against exactly one of `branches` (what `oneOf` asks), each checked with
    `_validator`."""
    checks = [_validator(branch, root) for branch in branches]
    return lambda value: sum(1 for valid in checks if valid(value)) == 1


def _validator(schema: Any, root: Json) -> Callable[[Any], bool]:
    """Whether a value is valid against `schema` (with the root's `$defs` for its `$ref`s), checked with jsonschema
    (which hypothesis-jsonschema brings)."""
    from jsonschema.validators import validator_for

    document = _inlined(schema, root) if isinstance(schema, dict) else schema
    return validator_for(document)(document).is_valid


OBJECT_PARTS = frozenset({"type", "properties", "required", "additionalProperties"})
ANY_SCALAR: Json = {"type": ["string", "integer", "boolean", "null"]}  # a property required but never declared


def _object_alternatives(schema: Json, root: Json) -> list[Json] | None:
    """An object schema with `allOf`, `anyOf` or `oneOf` fragments of objects beside its own properties (an OpenAPI
    model's parents, "at least one of these"), as plain object schemas: the object with every `allOf` part, and with
    each `anyOf`/`oneOf` branch in turn (their properties and required names together). None where a part is not
    such a fragment (hypothesis-jsonschema gets the schema). What they draw is checked against the whole schema."""
    own = _constraints(schema)
    if own - OBJECT_PARTS - {"allOf", "anyOf", "oneOf"}:
        return None
    merged: Json | None = {key: schema[key] for key in own & OBJECT_PARTS}
    for part in schema.get("allOf") or []:
        merged = _merged(merged, part, root)
    alternatives = [merged]
    for combinator in ("anyOf", "oneOf"):
        branches = schema.get(combinator)
        if isinstance(branches, list):
            alternatives = [_merged(base, branch, root) for base in alternatives for branch in branches]
    found = [alternative for alternative in alternatives if alternative is not None]
    return found if len(found) == len(alternatives) else None


def _merged(base: Json | None, part: Any, root: Json) -> Json | None:
    """`base` with the object fragment `part` (a local `$ref` to one too): properties and required names together,
    a property both declare as both at once (`allOf`); None where `part` is no such fragment."""
    if base is None or not isinstance(part, dict):
        return None
    reference = part.get("$ref")
    if isinstance(reference, str) and _constraints(part) == {"$ref"}:
        part = _resolved(reference, root)
        if part is None:
            return None
    nested = part.get("allOf")
    if isinstance(nested, list):  # a parent that has parents itself
        for inner in nested:
            base = _merged(base, inner, root)
        part = {key: value for key, value in part.items() if key != "allOf"}
        if base is None:
            return None
    if _constraints(part) - OBJECT_PARTS or part.get("type", "object") != "object":
        return None
    properties = dict(base.get("properties") or {})
    for name, sub in (part.get("properties") or {}).items():
        if properties.setdefault(name, sub) != sub:  # both say what it is (`{"type": "string"}`, `{"const": "a"}`)
            properties[name] = {"allOf": [properties[name], sub]}
    required = list(dict.fromkeys([*(base.get("required") or []), *(part.get("required") or [])]))
    merged: Json = {"type": "object", "properties": properties}
    if required:
        merged["required"] = required
    if False in (base.get("additionalProperties"), part.get("additionalProperties")):
        merged["additionalProperties"] = False
    return merged


def _constraints(schema: Json) -> set[str]:
    """The keywords of `schema` that constrain a value: all but the annotations and vendor `x-` keys."""
    return {key for key in schema if key not in ANNOTATIONS and not key.startswith("x-")}


def _canonical(value: Any) -> str:
    """A JSON value's one text, for `uniqueItems` (equal values, whatever their key order, are one)."""
    return json.dumps(value, sort_keys=True)


def _resolved(reference: str, root: Json) -> Json | None:
    """The sub-schema a local `$ref` (`#/$defs/Item`, `#/definitions/Item`) names in `root`, or None."""
    if reference == "#":
        return root
    if not reference.startswith("#/"):
        return None
    found: Any = root
    for part in reference[2:].split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(found, dict) or key not in found:
            return None
        found = found[key]
    return found if isinstance(found, dict) else None


def _inlined(schema: Json, root: Json) -> Json:
    """`schema` with the root's `$defs` beside it, for hypothesis-jsonschema to resolve its own `$ref`s."""
    if schema is root:
        return schema
    carried: Json = {key: root[key] for key in ("$defs", "definitions") if key in root and key not in schema}
    return {**schema, **carried} if carried else schema


def function_tools(tools: Sequence[Mapping[str, Any]]) -> dict[str, Json | None]:
    """{name: parameters schema} of the function tools among `tools` (as given to `assistants.create`)."""
    found: dict[str, Json | None] = {}
    for tool in tools:
        if tool.get("type") == "function":
            function = tool["function"]
            found[str(function["name"])] = function.get("parameters")
    return found


def argument_strategies(names: Sequence[str], tools: Sequence[Mapping[str, Any]] | None = None,
                        arguments: Mapping[str, ArgumentStrategy] | None = None) -> dict[str, st.SearchStrategy[str]]:
    """For each function name, the strategy of its JSON arguments: `arguments[name]` (a dict is JSON-encoded),
    else its tool's schema, else any small JSON object."""
    schemas = function_tools(tools or [])
    chosen: dict[str, st.SearchStrategy[str]] = {}
    for name in names:
        given = (arguments or {}).get(name)
        if given is not None:
            chosen[name] = given.map(lambda value: value if isinstance(value, str) else arguments_json(value))
        elif name in schemas:
            chosen[name] = schema_arguments(schemas[name], name=name)
        else:
            chosen[name] = json_arguments()
    return chosen


def function_calls(names: Sequence[str] = DEFAULT_FUNCTIONS, *, max_parallel: int = 3,
                   arguments: Mapping[str, st.SearchStrategy[str]] | None = None) -> st.SearchStrategy[FunctionCalls]:
    """1 to `max_parallel` calls the app must answer in one go; `arguments` maps a name to its JSON arguments."""
    def call_of(name: str) -> st.SearchStrategy[tuple[str, str]]:
        drawn = (arguments or {}).get(name)
        return st.tuples(st.just(name), json_arguments() if drawn is None else drawn)

    call = st.sampled_from(tuple(names)).flatmap(call_of)
    return st.lists(call, min_size=1, max_size=max_parallel).map(lambda calls: FunctionCalls(tuple(calls)))


BUILTIN_TOOLS = ("code_interpreter", "file_search")


def builtin_steps(kinds: Sequence[str] = BUILTIN_TOOLS) -> st.SearchStrategy[BuiltinStep]:
    """A code_interpreter step (input and maybe logs) or a file_search step (over the run's vector stores), of
    the `kinds` given (the built-in tools the run has: a step of a tool it lacks fails the run)."""
    unknown = sorted(set(kinds) - set(BUILTIN_TOOLS))
    if unknown or not kinds:
        raise ValueError(f"builtin_steps needs kinds among {list(BUILTIN_TOOLS)}, not {list(kinds)}")
    drawn: list[st.SearchStrategy[BuiltinStep]] = []
    if "code_interpreter" in kinds:
        drawn.append(st.builds(CodeInterpreter, input=texts(), logs=st.none() | texts(min_size=0)))
    if "file_search" in kinds:
        drawn.append(st.builds(FileSearch, query=st.none() | texts()))
    return st.one_of(*drawn)


def tool_rounds(names: Sequence[str] = DEFAULT_FUNCTIONS, *, max_parallel: int = 3, max_steps: int = 2,
                arguments: Mapping[str, st.SearchStrategy[str]] | None = None,
                builtin: Sequence[str] = BUILTIN_TOOLS) -> st.SearchStrategy[ToolRound]:
    """A round of function calls, after up to `max_steps` steps of the `builtin` tools (none: no such steps)."""
    steps = st.lists(builtin_steps(builtin), max_size=max_steps).map(tuple) if builtin else st.just(())
    return st.builds(ToolRound, calls=function_calls(names, max_parallel=max_parallel, arguments=arguments),
                     steps=steps)


def endings(kind: EndingKind) -> st.SearchStrategy[Ending]:
    """Endings of one kind: `reply`, `fail` (each real last_error code), `broken_stream`, `incomplete`
    (each reason), `cancelled` or `expired`."""
    if kind == "reply":
        return st.builds(Reply, texts())
    if kind == "fail":
        return st.sampled_from(LAST_ERROR_CODES).map(lambda code: Fail(code, DEFAULT_FAILURE_MESSAGES[code]))
    if kind == "broken_stream":
        return st.builds(BrokenStream, texts(), st.integers(0, 3))
    if kind == "incomplete":
        return st.builds(Incomplete, st.sampled_from(INCOMPLETE_REASONS), st.none() | texts())
    return st.just(Cancelled() if kind == "cancelled" else Expired())


@st.composite
def run_histories(
    draw: st.DrawFn,
    function_names: Sequence[str] | None = None,
    *,
    tools: Sequence[Mapping[str, Any]] | None = None,  # the SDK's typed tool params (TypedDicts) too
    arguments: Mapping[str, ArgumentStrategy] | None = None,
    max_rounds: int = 3,
    max_parallel_calls: int = 3,
    max_steps: int = 2,
    ending_kinds: Sequence[EndingKind] = ENDING_KINDS,
    tool_choice: str | Json = "auto",
    parallel_tool_calls: bool = True,
) -> RunHistory:
    """Legal histories of one run; `ending_kinds` narrows the endings.

    The `cancelled` and `expired` endings happen on the app's reads of the run (a retrieve or a poll): an app that
    only streams its runs does not meet them; leave them out of `ending_kinds` for one. Under the `manual` policy
    they happen on reads too, not on `fake.advance`, except that a run cancelled before it starts (no rounds) is
    cancelled by its first read or advance, whichever comes first.

    The app is asked for `function_names` only: by default the function tools among `tools` (the list given to
    `assistants.create`), else `get_weather` and `search_docs` (when `tools` is not given at all). A call's arguments
    come from `arguments[name]` (a strategy of dicts or JSON strings), else from the `parameters` JSON schema of
    that function in `tools` (so a required `city: string` is always there, a string), else they are any small JSON
    object.

    code_interpreter and file_search steps are drawn only for those tools among `tools`: a step of a tool the run
    lacks fails it (`fake.script.mistakes`). Give the run's `tool_choice` and `parallel_tool_calls` (as passed to
    `runs.create`), and the histories keep to them: none under `"none"`; a tool call before the answer under
    `"required"` or a named tool (that one); one call at a time without parallel calls."""
    names = list(function_names) if function_names is not None else list(function_tools(tools or []))
    names = names or ([] if tools is not None else list(DEFAULT_FUNCTIONS))
    declared = function_tools(tools) if tools is not None else None
    undeclared = sorted(set(names) - set(declared)) if declared is not None and function_names is not None else []
    if undeclared:
        raise ValueError(f"function_names= names functions the tools do not declare: {undeclared} (declared: "
                         f"{sorted(declared or [])}); a call to one fails the run")
    builtin = [tool["type"] for tool in tools or () if tool.get("type") in BUILTIN_TOOLS]
    choice = _legal_choice(tool_choice, names, builtin)
    calls_allowed = bool(names) and choice.mode != "none" and max_rounds > 0
    kinds = [k for k in ending_kinds if calls_allowed or k != "expired"]
    if not kinds:
        raise ValueError("run_histories needs an ending kind it can reach (`expired` needs a function to call)")
    unknown = sorted(set(arguments or {}) - set(names))
    if unknown:
        raise ValueError(f"arguments= names functions the run is never asked for: {unknown} (asked: {names})")
    drawn_arguments = argument_strategies(names, tools, arguments)
    kind = draw(st.sampled_from(kinds))
    interrupted = kind in ("cancelled", "expired")
    if choice.mode == "none":
        return RunHistory((), (), draw(endings(kind)))
    parallel = max_parallel_calls if parallel_tool_calls else 1
    first_call = calls_allowed and (choice.mode == "required"
                                    or (choice.mode == "forced" and choice.tool == "function"))
    if choice.mode in ("forced", "required") and not first_call and (choice.tool == "function" or not builtin):
        raise ValueError(f"the run's tool_choice asks for a call first, and max_rounds={max_rounds} allows none: "
                         "give max_rounds >= 1")
    rounds: list[ToolRound] = []
    if calls_allowed:
        rounds = draw(st.lists(tool_rounds(names, max_parallel=parallel, max_steps=max_steps,
                                           arguments=drawn_arguments, builtin=builtin),
                               min_size=1 if kind == "expired" or (first_call and not interrupted) else 0,
                               max_size=max_rounds))
    steps = () if interrupted or not builtin else tuple(draw(st.lists(builtin_steps(builtin), max_size=max_steps)))
    if choice.mode == "forced" and choice.tool == "function" and rounds:  # that function's calls come first
        forced = function_calls([choice.function or ""], max_parallel=parallel, arguments=drawn_arguments)
        rounds[0] = ToolRound(draw(forced))
    elif choice.mode in ("forced", "required") and not first_call and not (interrupted and not rounds):
        tool = choice.tool if choice.mode == "forced" else draw(st.sampled_from(builtin))
        step = draw(builtin_steps([tool or ""]))  # that step comes first
        if rounds:
            rounds[0] = ToolRound(rounds[0].calls, (step, *rounds[0].steps))
        else:
            steps = (step, *steps)
    return RunHistory(tuple(rounds), steps, draw(endings(kind)))


def _legal_choice(tool_choice: str | Json, names: Sequence[str], builtin: Sequence[str]) -> ToolChoice:
    """The run's tool_choice, read, once it is one a history can keep to (else a ValueError naming why)."""
    choice = ToolChoice.of(tool_choice)
    if choice.mode == "forced" and choice.tool == "function" and choice.function not in names:
        raise ValueError(f"tool_choice forces function {choice.function!r}, which is not among the functions the run "
                         f"is asked for: {list(names)}")
    if choice.mode == "forced" and choice.tool != "function" and choice.tool not in builtin:
        raise ValueError(f"tool_choice forces {choice.tool}, which is not among the tools: add "
                         f'{{"type": "{choice.tool}"}} to tools=')
    if choice.mode == "required" and not names and not builtin:
        raise ValueError('tool_choice "required" needs a tool to call: give run_histories tools=')
    return choice


# -- request payloads ------------------------------------------------------------------------------------------


def metadata() -> st.SearchStrategy[dict[str, str]]:
    """Up to 16 pairs, keys up to 64 characters, values up to 512."""
    return st.dictionaries(texts(max_size=64), texts(min_size=0, max_size=512), max_size=16)


def function_names() -> st.SearchStrategy[str]:
    return st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=64)


def tools() -> st.SearchStrategy[list[Json]]:
    """code_interpreter, file_search and function tools (function names unique)."""
    function = st.builds(
        lambda name, description, parameters: {"type": "function", "function": {
            "name": name, **({"description": description} if description is not None else {}),
            "parameters": parameters}},
        function_names(), st.none() | texts(),
        st.just({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
    file_search = st.one_of(
        st.just({"type": "file_search"}),
        st.builds(lambda n, threshold: {"type": "file_search", "file_search": {
            "max_num_results": n, "ranking_options": {"ranker": "auto", "score_threshold": threshold}}},
            st.integers(1, 50), st.floats(0, 1)),
    )
    tool = st.one_of(st.just({"type": "code_interpreter"}), file_search, function)
    return st.lists(tool, max_size=5, unique_by=lambda t: t["function"]["name"] if t["type"] == "function"
                    else t["type"])


def response_formats() -> st.SearchStrategy[Any]:
    schema = st.builds(lambda name: {"type": "json_schema", "json_schema": {"name": name, "schema": {
        "type": "object", "properties": {"answer": {"type": "string"}}}}}, function_names())
    return st.one_of(st.just("auto"), st.just({"type": "text"}), st.just({"type": "json_object"}), schema)


def assistant_payloads() -> st.SearchStrategy[Json]:
    """`client.beta.assistants.create(**payload)`."""
    return st.fixed_dictionaries({"model": st.sampled_from(MODELS)}, optional=dict(
        name=texts(max_size=256), description=texts(max_size=512), instructions=texts(max_size=500),
        tools=tools(), metadata=metadata(), temperature=st.floats(0, 2), top_p=st.floats(0, 1),
        response_format=response_formats(),
    ))


def message_payloads() -> st.SearchStrategy[Json]:
    """`client.beta.threads.messages.create(thread_id, **payload)` (also the items of a thread's `messages`)."""
    parts = st.lists(texts().map(lambda text: {"type": "text", "text": text}), min_size=1, max_size=3)
    return st.fixed_dictionaries(
        {"role": st.sampled_from(("user", "assistant")), "content": st.one_of(texts(max_size=500), parts)},
        optional=dict(metadata=metadata()),
    )


def thread_payloads() -> st.SearchStrategy[Json]:
    """`client.beta.threads.create(**payload)`."""
    return st.fixed_dictionaries({}, optional=dict(
        messages=st.lists(message_payloads(), max_size=4), metadata=metadata(),
    ))


def run_payloads(assistant_id: str) -> st.SearchStrategy[Json]:
    """`client.beta.threads.runs.create(thread_id, **payload)`: valid on any thread, even an empty one
    (there is always a user message or instructions)."""
    user_message = message_payloads().map(lambda message: {**message, "role": "user"})
    optional = st.fixed_dictionaries({}, optional=dict(
        model=st.sampled_from(MODELS), instructions=texts(max_size=500), additional_instructions=texts(),
        additional_messages=st.lists(message_payloads(), max_size=2), metadata=metadata(),
        temperature=st.floats(0, 2), top_p=st.floats(0, 1), max_prompt_tokens=st.integers(256, 100_000),
        max_completion_tokens=st.integers(16, 100_000), parallel_tool_calls=st.booleans(),
        tool_choice=st.sampled_from(("none", "auto")), response_format=response_formats(),
        truncation_strategy=st.one_of(st.just({"type": "auto"}), st.builds(
            lambda n: {"type": "last_messages", "last_messages": n}, st.integers(1, 50))),
    ))

    def complete(payload: Json, message: Json) -> Json:
        if "instructions" not in payload:
            payload["additional_messages"] = [*payload.get("additional_messages", []), message]
        return {"assistant_id": assistant_id, **payload}

    return st.builds(complete, optional, user_message)


def vector_store_payloads() -> st.SearchStrategy[Json]:
    """`client.vector_stores.create(**payload)` (no files: those need uploads first)."""
    static = st.integers(100, 4096).flatmap(lambda size: st.builds(
        lambda overlap: {"type": "static", "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap}},
        st.integers(0, size // 2)))
    return st.fixed_dictionaries({}, optional=dict(
        name=texts(max_size=100), metadata=metadata(),
        expires_after=st.builds(lambda days: {"anchor": "last_active_at", "days": days}, st.integers(1, 365)),
        chunking_strategy=st.one_of(st.just({"type": "auto"}), static),
    ))


__all__ = [
    "ENDING_KINDS",
    "Cancelled",
    "Expired",
    "RunHistory",
    "ToolRound",
    "assistant_payloads",
    "builtin_steps",
    "endings",
    "function_calls",
    "message_payloads",
    "metadata",
    "run_histories",
    "run_payloads",
    "thread_payloads",
    "tool_rounds",
    "vector_store_payloads",
]
