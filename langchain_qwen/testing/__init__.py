"""A DashScope emulator: a real loopback HTTP server that answers like DashScope.

`DashScopeEmulator` speaks Alibaba Cloud Model Studio's OpenAI-compatible mode
(`POST {prefix}/compatible-mode/v1/chat/completions`, `GET .../models`) with the exact
wire shapes of recorded DashScope traffic: ids `chatcmpl-<request id>`, DashScope's
response headers (`x-request-id`, `x-dashscope-call-gateway`, `req-cost-time`,
`req-arrive-time`, `resp-start-time`, `server: istio-envoy`), `reasoning_content`
deltas, tool-call deltas with `"id": ""` after the first, the extra empty-arguments
delta before the finish chunk, the `choices: []` usage chunk, and DashScope's error
bodies and request checks (auth per region, unknown models, `n`, `seed`, `stop`,
temperature, JSON mode, thinking-mode rules, message order...).

It imports nothing from the rest of `langchain_qwen` and uses only the standard
library, so a client bug cannot hide behind the same bug in the emulator.

Example:
    ```python
    from openai import OpenAI
    from langchain_qwen.testing import DashScopeEmulator, Reply

    with DashScopeEmulator() as emu:
        emu.script(
            Reply.text("Hi there", reasoning="The user greets me."),
            Reply.tool_calls([{"name": "get_weather", "arguments": {"city": "杭州"}}]),
        )
        client = OpenAI(base_url=emu.base_url, api_key=emu.api_key)
        client.chat.completions.create(
            model="qwen-plus", messages=[{"role": "user", "content": "hi"}]
        )
        assert emu.last_request.json["model"] == "qwen-plus"
    ```

Scripting: `emu.script(*replies)` queues replies first in first out; every chat
request that passes the request checks consumes one. Requests refused by a check
(401, 404, 400) consume nothing. With an empty script a cooperative model answers,
from the request alone (`_cooperative`): it calls the tool `tool_choice` forces (a
named function, or `"required"`: the first tool not yet called, else the last) or the
one the last user message asks for (its name or the words of its name), with
arguments read from the message (`f(3)`, `name=value`, "named 'X'", quoted strings
with unicode kept, proper names, numbers in order) that fit the tool's schema, small
valid values for the rest; after a tool result it answers with that result; it answers
JSON fitting a `json_schema` response format or a schema in a system instruction
(values from the prompt, else valid examples: `_schema_examples`), JSON mode with the
keys the prompt asks for, else text echoing the last message ("You said: ..."), with a
note on any image sent and a short thinking text when the request thinks.

State: `emu.rate_limits` (RPM/TPM 429s per key and model), `emu.context_cache`
(explicit cache: a marked prefix of 1,024 tokens or more is written, then read by
later requests: `cached_tokens`), `emu.batches` (Batch API). `emu.clear()` forgets the
script and requests; `emu.reset()` all state, keeping the port.

Faults: `Reply.error(...)` (HTTP errors; plain JSON for stream requests too, as
DashScope does), `Reply.raw(...)` (exact bytes), `Reply.hang(seconds)`,
`Reply.reset()`, and stream faults on `Reply.text`/`Reply.tool_calls`:
`drop_after=N`, `error_after=N`, `moderation_after=N`, `malformed_after=N`,
`no_done=True` (see `Reply` for their meaning on non-streaming requests).

Flavors (`DashScopeEmulator(flavor=...)`) emulate self-hosted servers serving Qwen:

* `dashscope` (default): everything above. Base URL `.../compatible-mode/v1`;
  region prefixes `/{region}/compatible-mode/v1` when `regions` is given. Models come
  from the emulator's copy of the catalogue (`make profiles`): a region named like a
  catalogue region (`singapore`, `us`, `china`, `hongkong`, `coding-intl`,
  `coding-cn`) lists and serves its own models; a model of another region and a name
  that is no Qwen name (`qwen-plsu`) get DashScope's 404 `model_not_found`; a
  Qwen-style name in no list (`qwen3.9-max`, a dated snapshot) is served.
* `vllm`: base URL `.../v1`. Thinking field `reasoning` (newer vLLM) in messages and
  deltas; thinking switch `chat_template_kwargs.enable_thinking` (Qwen3 thinks by
  default). Ids `chatcmpl-<32 hex>`, tool call ids `chatcmpl-tool-<hex>`; chunks
  without `usage`/`system_fingerprint` keys; every tool call opens with
  `{id, type, index, function: {name}}` and later deltas carry only
  `{index, function: {arguments}}`; non-stream messages have `content: null` next to
  tool calls plus `refusal`/`annotations`/`audio`/`function_call` nulls; choices
  carry `stop_reason`. No DashScope headers (`server: uvicorn`). Any key is accepted
  unless `api_key` is given (then a wrong key gets `{"error": "Unauthorized"}`).
  Any model id is accepted unless `models` is given (then 404 `NotFoundError`).
  DashScope-only top-level keys (`enable_thinking`, `enable_search`,
  `thinking_budget`, ...) get a 400 pydantic `extra_forbidden` error, as vLLM
  builds with `extra="forbid"` send (current vLLM ignores unknown keys with a
  warning; turn this off with `reject_dashscope_keys=False`). Only one rule is
  checked: Qwen's chat template refuses a system message that is not first.
  Errors: `{"error": {"message", "type": "BadRequestError", "param", "code": 400}}`.
* `sglang`: like `vllm`, but the thinking field is `reasoning_content`, ids are bare
  32-hex strings, tool call ids `call_<hex>`, choices carry `matched_stop`, chunks
  carry `usage: null`, and errors are flat: `{"object": "error", "message", "type",
  "param", "code"}`.
* `ollama`: base URL `.../v1`. Thinking field `reasoning`; thinking switch
  `reasoning_effort` (`"none"` turns it off) or `think`. Ids `chatcmpl-<number>`,
  `system_fingerprint: "fp_ollama"`, no separate role chunk (every delta repeats
  `role`), tool calls arrive whole in a single delta with `index: null`, no
  `logprobs` keys, plain usage counts. No key checks unless `api_key` is given, no
  request rules, any model accepted unless `models` is given (then 404
  `model "x" not found, try pulling it first`).

Responses API: `POST .../responses` (also under the app-protocol path
`/api/v2/apps/protocols/compatible-mode/v1`) answers OpenAI's Responses protocol,
non-streamed or as the event stream, and stores responses for
`previous_response_id`. Script built-in tool calls with
`ResponsesReply(Reply.text(...), builtin=(BuiltinCall.web_search(...), ...))`;
see `langchain_qwen.testing._responses_api`.

Embeddings and rerank (DashScope flavor): `POST .../compatible-mode/v1/embeddings`,
the native `.../api/v1/services/embeddings/text-embedding/text-embedding`,
`POST .../compatible-api/v1/reranks` (`emu.rerank_base_url`) and the native
`.../api/v1/services/rerank/text-rerank/text-rerank`, each under the region prefix
too, with DashScope's per-model input and document caps, allowed dimensions,
string-only inputs, models per region and endpoint, and error bodies. Vectors are a
hashed bag of words (similar texts are close) and relevance is lexical overlap, so
retrieval ranks sensibly; embedding answers come in a deterministic shuffled order
(`emu.retrieval.shuffle`). Scripted faults apply to them; scripted answers wait for a
chat request. `emu.latency` (or `latency=`) delays every answer. See
`langchain_qwen.testing._embeddings` and `._rerank`.

Run it in a separate process with `python -m langchain_qwen.testing serve`, and use
the `dashscope_emulator` pytest fixture from `langchain_qwen.testing.pytest_plugin`.
"""

from langchain_qwen.testing._replies import Reply, ToolCall
from langchain_qwen.testing._responses_api import BuiltinCall, ResponsesReply
from langchain_qwen.testing._server import (
    DEFAULT_API_KEY,
    DashScopeEmulator,
    RecordedRequest,
    Responder,
)

__all__ = [
    "DEFAULT_API_KEY",
    "BuiltinCall",
    "DashScopeEmulator",
    "RecordedRequest",
    "Reply",
    "Responder",
    "ResponsesReply",
    "ToolCall",
]
