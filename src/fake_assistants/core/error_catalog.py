"""Every error wording the fake sends, in one place.

Wordings marked (real) are quoted from recordings or reports in shared/conformance/ERRORS.md;
the others follow OpenAI's published validation format (CHECKLIST.md section 5.2).
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import ApiError

ASSISTANTS_BETA_HINT = "Please try again by setting the header 'OpenAI-Beta: assistants=v2'."
MIGRATION_URL = "https://platform.openai.com/docs/assistants/migration"

_NOT_FOUND_NOUNS = {
    "assistant": "assistant",
    "thread": "thread",
    "message": "message",
    "run": "run",
    "step": "run step",
    "vector_store": "vector store",
    "file_batch": "vector store file batch",
    "assistant_file": "assistant file",  # Assistants v1
    "message_file": "message file",  # Assistants v1
}

_ID_PARAM_PREFIXES = {
    "assistant_id": "asst",
    "thread_id": "thread",
    "message_id": "msg",
    "run_id": "run",
    "step_id": "step",
    "file_id": "file",
    "vector_store_id": "vs",
    "batch_id": "vsfb",
}


def missing_beta_header(version: str = "v2") -> ApiError:
    # (real) ERRORS.md #14 (v2), #15 (v1 era): the wording names the version the service expected
    return ApiError(
        400,
        "You must provide the 'OpenAI-Beta' header to access the Assistants API. "
        f"Please try again by setting the header 'OpenAI-Beta: assistants={version}'.",
        code="invalid_beta",
    )


def v1_deprecated() -> ApiError:
    # (real) ERRORS.md #16
    return ApiError(
        400,
        "The v1 Assistants API has been deprecated. "
        + ASSISTANTS_BETA_HINT
        + f" See the migration guide for more information: {MIGRATION_URL}.",
        code="invalid_beta",
    )


def v1_endpoint_deprecated() -> ApiError:
    # (real) ERRORS.md #17: a v1-only endpoint (assistant files, message files) asked for outside v1
    return ApiError(
        400,
        f"The v1 Assistants API has been deprecated. See the migration guide for more information: {MIGRATION_URL}.",
        code="invalid_beta",
    )


def model_not_in_v1(model: str) -> ApiError:
    # (real, 2024-05) ERRORS.md #18: models released after v2 could not be used with v1
    return ApiError(
        400,
        f"The requested model '{model}' cannot be used with the Assistants API in v1. "
        f"Follow the migration guide to upgrade to v2: {MIGRATION_URL}.",
    )


def too_many_assistant_files(assistant_id: str, limit: int) -> ApiError:
    # (inferred) Assistants v1: an assistant could have at most 20 files; no recording shows the wording
    return ApiError(400, f"Assistant {assistant_id} already has the maximum of {limit} files attached.",
                    param="file_id")


def invalid_url(method: str, path: str) -> ApiError:
    return ApiError(404, f"Invalid URL ({method} {path})")


def with_hint(error: ApiError, hint: str) -> ApiError:
    # (the fake's own) the service's error, its wording first (code that matches it still does), then what the fake
    # can tell of the mistake, in parentheses
    return ApiError(error.status, f"{error.message} ({hint})", type=error.type, param=error.param, code=error.code,
                    extra=error.extra)


def invalid_url_because(method: str, path: str, hint: str) -> ApiError:
    # (the fake's own) the service's 404 for an unknown URL, its wording first (code that matches it still does),
    # then what the fake can tell of the mistake
    return ApiError(404, f"Invalid URL ({method} {path}): {hint}")


def other_api(method: str, path: str, api: str) -> ApiError:
    # (the fake's own) a route of another OpenAI API, which the fake does not serve
    return invalid_url_because(method, path, "fake-assistants serves the Assistants API (assistants, threads, "
                                             f"messages, runs, files and vector stores), not the {api}.")


def without_api_prefix(method: str, path: str, prefix: str) -> ApiError:
    # (the fake's own) a route's path without its /v1: a client whose base URL lacks it
    return invalid_url_because(method, path, f"the API is served under {prefix} ({method} {prefix}{path}): give "
                                             f"the client a base URL that ends in {prefix}.")


def api_prefix_twice(method: str, path: str, prefix: str, second: str) -> ApiError:
    # (the fake's own) a route's path with two API prefixes: a client that adds /v1 to a base URL that has it
    if second == prefix:
        return invalid_url_because(method, path, f"the path has the API's prefix twice ({prefix}{prefix}/...): the "
                                                 f"client adds {prefix} itself, so give it a base URL without it.")
    return invalid_url_because(method, path, f"the path has two API prefixes ({prefix}{second}/...): the API is "
                                             f"served under either ({prefix}/... or {second}/...), not both.")


def azure_route_with_a_deployment(method: str, path: str, route_path: str) -> ApiError:
    # (the fake's own) an Assistants route under Azure's /openai/deployments/{name}: those routes have no deployment
    return invalid_url_because(method, path, f"the Assistants API's Azure paths have no deployment ({method} "
                                             f"{route_path}).")


def not_found(kind: str, object_id: str) -> ApiError:
    # (real) ERRORS.md #7, #21, #22; the others follow the same pattern
    return ApiError(404, f"No {_NOT_FOUND_NOUNS[kind]} found with id '{object_id}'.")


def file_not_found(file_id: str) -> ApiError:
    # (real) ERRORS.md #8, with its extra top-level "detail"
    return _files_api_error(404, f"No such File object: {file_id}", param="id")


def wrong_id_prefix(param: str, value: str) -> ApiError:
    # (real) ERRORS.md #20
    prefix = _ID_PARAM_PREFIXES[param]
    return ApiError(
        400, f"Invalid '{param}': '{value}'. Expected an ID that begins with '{prefix}'.", param=param
    )


def id_prefix_for(param: str) -> str:
    return _ID_PARAM_PREFIXES[param]


def invalid_json_body() -> ApiError:
    return ApiError(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
        "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. "
        "If you have trouble figuring out how to fix this, please contact us through our help center at "
        "help.openai.com.)",
    )


def body_not_object(got: str) -> ApiError:
    return ApiError(
        400,
        f"Invalid type for request body: expected an object, but got {got} instead.",
        code="invalid_type",
    )


def missing_parameter(param: str) -> ApiError:
    return ApiError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def unknown_parameter(param: str) -> ApiError:
    return ApiError(400, f"Unknown parameter: '{param}'.", param=param, code="unknown_parameter")


def invalid_type(param: str, expected: str, got: str) -> ApiError:
    return ApiError(
        400,
        f"Invalid type for '{param}': expected {expected}, but got {got} instead.",
        param=param,
        code="invalid_type",
    )


def string_too_long(param: str, maximum: int, got: int) -> ApiError:
    return ApiError(
        400,
        f"Invalid '{param}': string too long. Expected a string with maximum length {maximum}, "
        f"but got a string with length {got} instead.",
        param=param,
        code="string_above_max_length",
    )


def string_too_short(param: str, minimum: int, got: int) -> ApiError:
    if got == 0:
        return ApiError(
            400,
            f"Invalid '{param}': empty string. Expected a string with minimum length {minimum}, "
            "but got an empty string instead.",
            param=param,
            code="empty_string",
        )
    return ApiError(
        400,
        f"Invalid '{param}': string too short. Expected a string with minimum length {minimum}, "
        f"but got a string with length {got} instead.",
        param=param,
        code="string_below_min_length",
    )


def array_too_long(param: str, maximum: int, got: int) -> ApiError:
    return ApiError(
        400,
        f"Invalid '{param}': array too long. Expected an array with maximum length {maximum}, "
        f"but got an array with length {got} instead.",
        param=param,
        code="array_above_max_length",
    )


def array_too_short(param: str, minimum: int, got: int) -> ApiError:
    if got == 0:
        return ApiError(
            400,
            f"Invalid '{param}': empty array. Expected an array with minimum length {minimum}, "
            "but got an empty array instead.",
            param=param,
            code="empty_array",
        )
    return ApiError(
        400,
        f"Invalid '{param}': array too short. Expected an array with minimum length {minimum}, "
        f"but got an array with length {got} instead.",
        param=param,
        code="array_below_min_length",
    )


def too_many_properties(param: str, maximum: int, got: int) -> ApiError:
    return ApiError(
        400,
        f"Invalid '{param}': too many properties. Expected an object with at most {maximum} properties, "
        f"but got an object with {got} properties instead.",
        param=param,
        code="object_above_max_properties",
    )


def property_name_too_long(param: str, key: str, maximum: int) -> ApiError:
    return ApiError(
        400,
        f"Invalid property name in '{param}': '{key}' is too long. Expected a string with maximum length "
        f"{maximum}, but got a string with length {len(key)} instead.",
        param=f"{param}.{key}",
        code="string_above_max_length",
    )


def number_above_max(param: str, maximum: float, got: object, *, integer: bool) -> ApiError:
    kind, code = ("integer", "integer_above_max_value") if integer else ("decimal", "decimal_above_max_value")
    return ApiError(
        400,
        f"Invalid '{param}': {kind} above maximum value. Expected a value <= {_num(maximum)}, "
        f"but got {_num(got)} instead.",
        param=param,
        code=code,
    )


def number_below_min(param: str, minimum: float, got: object, *, integer: bool) -> ApiError:
    kind, code = ("integer", "integer_below_min_value") if integer else ("decimal", "decimal_below_min_value")
    return ApiError(
        400,
        f"Invalid '{param}': {kind} below minimum value. Expected a value >= {_num(minimum)}, "
        f"but got {_num(got)} instead.",
        param=param,
        code=code,
    )


def invalid_value(param: str, got: object, supported: Sequence[object]) -> ApiError:
    return ApiError(
        400,
        f"Invalid value: {_quote(got)}. Supported values are: {_join_supported(supported)}.",
        param=param,
        code="invalid_value",
    )


def invalid_value_message(param: str, message: str) -> ApiError:
    return ApiError(400, f"Invalid '{param}': {message}", param=param, code="invalid_value")


def invalid_cursor(param: str, value: str) -> ApiError:
    return ApiError(
        400, f"Invalid '{param}': no object found with id '{value}'.", param=param, code="invalid_value"
    )


def thread_too_long(thread_id: str, maximum: int) -> ApiError:
    return ApiError(
        400,
        f"Thread {thread_id} has reached the maximum of {maximum} messages.",
        param="thread_id",
    )


def too_many_code_interpreter_files(param: str, maximum: int, got: int) -> ApiError:
    # (inferred) the thread object's tool_resources.code_interpreter.file_ids holds at most 20 (spec: maxItems, "a
    # maximum of 20 files"); what the service answered to attachments past it is unrecorded. The fake refuses the
    # message rather than keep a list it would refuse if the client sent it back (thread modify).
    return ApiError(
        400,
        f"Invalid '{param}': a thread's code_interpreter tool can have at most {maximum} files "
        f"(tool_resources.code_interpreter.file_ids), and these attachments would give it {got}.",
        param=param,
        code="array_above_max_length",
    )


def _num(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quote(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _join_supported(values: Sequence[object]) -> str:
    quoted = [_quote(v) for v in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


def message_while_run_active(thread_id: str, run_id: str) -> ApiError:
    # (real) ERRORS.md #12
    return ApiError(400, f"Can't add messages to {thread_id} while a run {run_id} is active.")


def run_already_active(thread_id: str, run_id: str) -> ApiError:
    # (real) ERRORS.md #13
    return ApiError(400, f"Thread {thread_id} already has an active run {run_id}.")


def server_error(request_id: str) -> ApiError:
    # (real) ERRORS.md #10
    return ApiError(
        500,
        "The server had an error processing your request. Sorry about that! You can retry your request, "
        "or contact us through our help center at help.openai.com if you keep seeing this error. "
        f"(Please include the request ID {request_id} in your email.)",
        type="server_error",
    )


def tool_outputs_not_accepted(status: str) -> ApiError:
    # (real) ERRORS.md #1
    return ApiError(400, f'Runs in status "{status}" do not accept tool outputs.')


def tool_outputs_mismatch(expected: Sequence[str], given: Sequence[str]) -> ApiError:
    # (real) ERRORS.md #19: Python-list formatting, no final period
    return ApiError(400, f"Expected tool outputs for call_ids {list(expected)!r}, got {list(given)!r}")


def cannot_cancel(status: str) -> ApiError:
    # (real prefix) ERRORS.md #24
    return ApiError(400, f"Cannot cancel run with status '{status}'.")


def cannot_update_run(status: str) -> ApiError:
    # (real, Assistants v1) ruby-openai runs_modify cassettes, 2023-11 and 2024-04
    return ApiError(400, f"Cannot update run with status '{status}'.")


def invalid_thread() -> ApiError:
    # (real) ERRORS.md #4
    return ApiError(
        400,
        "Run creation requires a Thread with a user message or an assistant with instructions.",
        code="invalid_thread",
    )


def not_multipart(content_type: str | None) -> ApiError:
    return ApiError(
        400,
        f"Invalid Content-Type header ({content_type or ''}), expected multipart/form-data. "
        "(HINT: If you're using curl, you can pass -F 'file=@<filename>' to upload a file.)",
    )


def malformed_multipart() -> ApiError:
    return ApiError(400, "Could not parse multipart form data.")


def invalid_purpose(purpose: str) -> ApiError:
    # (real) ERRORS.md #9, with the Files API's extra "detail"
    message = (
        f"'{purpose}' is not one of ['fine-tune', 'assistants', 'batch', 'user_data', 'vision', 'evals'] - 'purpose'"
    )
    return _files_api_error(400, message, param="purpose")


def download_not_allowed(purpose: str) -> ApiError:
    # (real) CHECKLIST.md 1.6
    return ApiError(400, f"Not allowed to download files of purpose: {purpose}")


def vector_store_file_not_found(file_id: str, vector_store_id: str) -> ApiError:
    return ApiError(404, f"No file found with id '{file_id}' in vector store '{vector_store_id}'.")


def vector_store_expired(vector_store_id: str) -> ApiError:
    return ApiError(400, f"Vector store '{vector_store_id}' has expired")


def batch_needs_one_of() -> ApiError:
    return ApiError(
        400,
        "Invalid request: exactly one of 'file_ids' or 'files' must be provided.",
        param="file_ids",
        code="invalid_value",
    )


def file_search_needs_one_of() -> ApiError:
    # (inferred) the spec's oneOf of FileSearchResources (CHECKLIST 1.1: either vector_store_ids or the
    # vector_stores helper); worded as batch_needs_one_of, the same kind of rule (no recording shows either)
    return ApiError(
        400,
        "Invalid request: exactly one of 'vector_store_ids' or 'vector_stores' must be provided.",
        param="tool_resources.file_search",
        code="invalid_value",
    )


# -- server mode: the API-key check and the control API ----------------------------------------------

API_KEYS_URL = "https://platform.openai.com/account/api-keys"


def missing_api_key() -> ApiError:
    # (real) the service's answer to a request with no Authorization header
    return ApiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using "
        "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if "
        "you're accessing the API from your browser and are prompted for a username and password. You can "
        f"obtain an API key from {API_KEYS_URL}.",
    )


def too_many_keys(limit: int) -> ApiError:
    # (fake) `serve --one-fake-per-key` holds a fake for at most `limit` keys
    return ApiError(
        400,
        f"fake-assistants: this server already holds a fake for each of {limit:,} API keys, its limit "
        "(serve --one-fake-per-key), and this request sends a new one. Give each test file or worker one key, not "
        "each test (a test resets its file's fake with POST /__fake__/reset), or restart the server.",
    )


def key_fake_not_made(reason: str) -> ApiError:
    # (fake) `serve --one-fake-per-key` could not make the fake of a new key (its next request tries again)
    return ApiError(
        500,
        f"fake-assistants: the fake for this API key could not be made with the server's options: {reason}",
        type="server_error",
    )


def incorrect_api_key(given: str) -> ApiError:
    # (real) the key is masked as the service masked it: its first 8 and last 4 characters
    return ApiError(
        401,
        f"Incorrect API key provided: {mask_api_key(given)}. You can find your API key at {API_KEYS_URL}.",
        code="invalid_api_key",
    )


def mask_api_key(key: str) -> str:
    if len(key) <= 12:
        return key
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


def clock_not_manual() -> ApiError:
    return ApiError(
        400,
        "This fake's clock is the system clock, which cannot be moved: start the server with "
        "`--clock manual` to move time with POST /__fake__/clock.",
        param="clock",
    )


def run_polled_in_vain(run_id: str, status: str, polled: str, policy: str, fix: str) -> ApiError:
    # (the fake's own) not a service error: a poll loop (the SDK's *_and_poll helpers) on a run that no poll can
    # move would never end; the fake says why instead, once the polls `polled` describes found it unchanged
    return ApiError(
        400,
        f"fake-assistants: run {run_id} is still {status!r} after {polled} under the {policy} "
        f"progression, where a poll does not move a run, so this poll loop would never end: {fix}. (The SDK's "
        "*_and_poll helpers poll until the run ends.)",
        param="run_id",
    )


def run_polled_while_streamed(run_id: str, status: str, polled: str) -> ApiError:
    # (the fake's own) not a service error: the run is moved by the stream that reads it, and that stream's reader
    # is polling instead of reading (a poll inside the `for` over the stream): the loop would never end
    return ApiError(
        400,
        f"fake-assistants: run {run_id} is still {status!r} after {polled} while a stream of it is "
        "open. In the fake the stream moves the run it streams, and polls do not, so this poll loop would never "
        "end: close the stream before polling (leave the `for` over it or its `with` block, or call "
        "stream.close()), or read it on. If another thread reads the stream, set fake.options.idle_polls = None and "
        "fake.options.idle_seconds = None.",
        param="run_id",
    )


# -- injected faults (fake.faults) ---------------------------------------------------------------------

RATE_LIMITS_URL = "https://platform.openai.com/account/rate-limits"
ORGANIZATION = "org-fake-assistants"  # the organization a rate limit names, and the `openai-organization` header


def rate_limit_exceeded(retry_after_ms: int | None, *, model: str | None = None,
                        organization: str = ORGANIZATION) -> ApiError:
    # (real pattern) the service's 429, as pasted in public reports (e.g. OpenBMB/ChatDev#26): type "requests";
    # it names the request's model (gpt-4o for a request that names none)
    model = model or "gpt-4o"
    wait = "1s" if retry_after_ms is None else _duration(retry_after_ms)
    return ApiError(
        429,
        f"Rate limit reached for {model} in organization {organization} on requests per min (RPM): "
        f"Limit 3, Used 3, Requested 1. Please try again in {wait}. Visit {RATE_LIMITS_URL} to learn more.",
        type="requests",
        code="rate_limit_exceeded",
    )


def injected_error(status: int, message: str, *, type: str = "invalid_request_error", code: str | None = None,
                   param: str | None = None) -> ApiError:
    """An error a test scheduled with `fake.faults.error(...)`, worded as the test chose."""
    return ApiError(status, message, type=type, code=code, param=param)


def _duration(milliseconds: int) -> str:
    """As the service wrote waits: `20s`, `9.816s`, `6ms`."""
    if milliseconds < 1000:
        return f"{milliseconds}ms"
    return f"{milliseconds / 1000:.3f}".rstrip("0").rstrip(".") + "s"


def state_not_loadable(reason: str) -> ApiError:
    return ApiError(400, f"The state could not be loaded: {reason}", param="state")


def state_not_dumpable(reason: str) -> ApiError:
    return ApiError(400, f"The state could not be dumped: {reason}")


def fault_not_allowed(kind: str, params: Sequence[str]) -> ApiError:
    names = ", ".join(f"'{p}'" for p in params)
    return ApiError(400, f"A '{kind}' fault does not take {names}.", param=params[0], code="unknown_parameter")


def invalid_fault(reason: str, param: str) -> ApiError:
    return ApiError(400, f"Invalid fault: {reason}", param=param, code="invalid_value")


# -- size limits, URLs and the server's host check (issue 15) -----------------------------------------


def file_too_large(size: int, limit: int) -> ApiError:
    # (inferred) the real limit is documented (512 MB per file); no recording shows its wording
    return ApiError(413, f"File is too large: {size} bytes. Files can be at most {_megabytes(limit)} MB.",
                    param="file", code="file_too_large")


def request_too_large(limit: int) -> ApiError:
    # (inferred) a request body over the fake's limit (read no further than the limit); no recording shows one
    return ApiError(413, f"The request body is too large: this endpoint takes at most {limit} bytes "
                         f"({_megabytes(limit)} MB).", code="request_too_large")


def invalid_image_url(param: str) -> ApiError:
    # (real) community.openai.com/t/how-to-send-base64-images-to-assistant-api/752440 (2024-05): the answer to
    # a data: URL in threads.create; the same for any URL that is not http(s)
    return ApiError(400, f"Invalid '{param}'. Expected a valid URL, but got a value with an invalid format.",
                    param=param, code="invalid_value")


def host_not_allowed(header: str, value: str) -> ApiError:
    # (inferred) the fake's own guard against web pages (cross-site requests, DNS rebinding)
    return ApiError(403, f"This fake-assistants server answers loopback hosts only, and the request's {header} "
                         f"is {value!r}. Start it with `--allow-host <host>` to allow another host.",
                    param=header.lower(), code="host_not_allowed")


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"


def _files_api_error(status: int, message: str, *, param: str | None) -> ApiError:
    """The Files API repeats its message under an extra top-level "detail" (ERRORS.md #8, #9)."""
    return ApiError(status, message, param=param, extra={"detail": {"message": message, "code": None}})
