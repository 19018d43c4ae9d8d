"""ChatQwen: Qwen chat models on DashScope (Model Studio) and compatible servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import (
    BaseLanguageModel,
    LangSmithParams,
    LanguageModelInput,
    ModelProfile,
)
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils import secret_from_env
from langchain_openai.chat_models.base import BaseChatOpenAI
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    model_validator,
)
from typing_extensions import Self

from langchain_qwen import _wire
from langchain_qwen._chat import completions
from langchain_qwen._chat.contract import clean_key, prepare_values
from langchain_qwen._chat.pickling import Portable
from langchain_qwen._chat.rate_limited import RateLimitedCalls
from langchain_qwen._chat.structured_output import (
    bind_tools_kwargs,
    build_structured_output,
)
from langchain_qwen._client import http as _http
from langchain_qwen._client.endpoint import connection_secrets, redacted_repr_args
from langchain_qwen._client.target import cached_target, key_function_token
from langchain_qwen._dialect import (
    Dialect,
    ServerChoice,
    Settings,
    dialect_for,
    resolve_server,
)
from langchain_qwen._dialect import rules as _rules
from langchain_qwen._dialect.thinking import instance_profile
from langchain_qwen._models.profiles import get_model_profile, get_qwen_traits
from langchain_qwen._models.prompt import count_message_tokens
from langchain_qwen._models.tokenizer import get_tokenizer
from langchain_qwen._responses import api as _responses_api
from langchain_qwen._version import __version__

__all__ = ["ChatQwen"]


class ChatQwen(Portable, RateLimitedCalls, BaseChatOpenAI):
    r"""Qwen chat models on Alibaba Cloud DashScope (Model Studio), any region.

    Speaks DashScope's OpenAI-compatible mode, and any OpenAI-compatible server that
    serves Qwen (vLLM, SGLang, Ollama) when given ``base_url``.

    Setup:
        Install ``langchain-qwen`` and set ``DASHSCOPE_API_KEY`` (keys are
        region-specific; set ``DASHSCOPE_REGION`` too if yours is not Singapore).

        .. code-block:: bash

            pip install -U langchain-qwen
            export DASHSCOPE_API_KEY="sk-..."
            export DASHSCOPE_REGION="singapore"  # or us, china, hongkong

    Key init args — completion params:
        model: str
            Model name, e.g. ``"qwen-plus"``, ``"qwen3-max"``, ``"qwen3-vl-plus"``.
        temperature: float | None
            Sampling temperature in [0, 2).
        max_tokens: int | None
            Max number of tokens to generate.
        enable_thinking: bool | None
            Turn reasoning on or off for hybrid models; ``thinking_budget`` caps it.
        enable_search: bool | None
            Let the model search the web (``search_options`` tunes it).
        top_k, top_p, presence_penalty, seed, stop, n, logprobs, top_logprobs,
        response_format, vl_high_resolution_images, translation_options,
        modalities, audio
            DashScope's other parameters, checked before any request is sent.
        server: str
            ``"auto"`` (default), ``"dashscope"``, ``"vllm"``, ``"sglang"``,
            ``"ollama"`` or ``"openai"``: shapes the request for self-hosted servers.

    Key init args — client params:
        api_key: SecretStr | None
            DashScope API key; read from ``DASHSCOPE_API_KEY`` if not given.
        region: str | None
            ``singapore`` (default), ``us``, ``china``, ``hongkong`` or an alias;
            read from ``DASHSCOPE_REGION``. With ``workspace_id`` also ``tokyo`` and
            ``frankfurt``.
        workspace_id: str | None
            Use the workspace-dedicated host of ``region``.
        plan: str | None
            Billing plan whose hosts to use: ``"payg"`` (default), ``"coding"``
            (Coding Plan, for ``sk-sp-`` keys; chosen by itself when the key is
            one) or ``"trial"``; read from ``DASHSCOPE_PLAN``.
        base_url: str | None
            Any OpenAI-compatible endpoint; wins over region (also from
            ``DASHSCOPE_BASE_URL`` or ``DASHSCOPE_API_BASE``).
        timeout: float | None
            Timeout for requests, in seconds.
        max_retries: int | None
            Retries for rate limits, server faults and connection failures
            (default 2). Quota, auth and bad-request errors are never retried.

    Instantiate:
        .. code-block:: python

            from langchain_qwen import ChatQwen

            llm = ChatQwen(model="qwen-plus", region="singapore", temperature=0.3)

    Invoke:
        .. code-block:: python

            messages = [
                ("system", "Translate the user sentence to French."),
                ("human", "I love programming."),
            ]
            llm.invoke(messages)

    Stream:
        .. code-block:: python

            for chunk in llm.stream(messages):
                print(chunk.text, end="")

        Token usage always arrives on streams (``stream_options.include_usage`` is
        sent), on exactly one chunk.

    Async:
        .. code-block:: python

            await llm.ainvoke(messages)
            async for chunk in llm.astream(messages):
                ...

    Thinking (reasoning):
        .. code-block:: python

            llm = ChatQwen(model="qwen-plus", enable_thinking=True)
            msg = llm.invoke("Is 9.11 bigger than 9.9?")
            msg.additional_kwargs["reasoning_content"]  # also a reasoning content block

    Tool calling:
        .. code-block:: python

            from pydantic import BaseModel, Field

            class GetWeather(BaseModel):
                '''Get the current weather in a given location'''

                location: str = Field(..., description="The city, e.g. Hangzhou")

            llm_with_tools = llm.bind_tools([GetWeather])
            ai_msg = llm_with_tools.invoke("What's the weather in Hangzhou?")
            ai_msg.tool_calls

    Structured output:
        .. code-block:: python

            class Joke(BaseModel):
                '''Joke to tell user.'''

                setup: str
                punchline: str

            llm.with_structured_output(Joke).invoke("Tell me a joke about cats")

    Responses API (built-in tools, stored conversations):
        .. code-block:: python

            # A built-in tool selects DashScope's Responses API for the call.
            searcher = llm.bind_tools([{"type": "web_search"}, GetWeather])
            reply = searcher.invoke("What's on in Hangzhou today?")
            reply.content_blocks  # server_tool_call / server_tool_result, text
            llm.invoke(
                "And tomorrow?", previous_response_id=reply.response_metadata["id"]
            )

    Usage metadata:
        .. code-block:: python

            ai_msg = llm.invoke(messages)
            ai_msg.usage_metadata
            # {'input_tokens': 28, 'output_tokens': 5, 'total_tokens': 33,
            #  'input_token_details': {'cache_read': 0}}

    Response metadata:
        .. code-block:: python

            ai_msg.response_metadata
            # {'model_provider': 'dashscope', 'model_name': 'qwen-plus',
            #  'finish_reason': 'stop', 'id': 'chatcmpl-...', 'request_id': '...'}
    """

    model_name: str = Field(default="qwen-plus", alias="model")
    """Qwen model name."""

    openai_api_key: (
        SecretStr | Callable[[], str] | Callable[[], Awaitable[str]] | None
    ) = Field(
        alias="api_key",
        default_factory=secret_from_env("DASHSCOPE_API_KEY", default=None),
    )
    """DashScope API key (``DASHSCOPE_API_KEY``)."""

    openai_api_base: str | None = Field(default=None, alias="base_url")
    """Endpoint; resolved from region/workspace/env when not given."""

    region: str | None = None
    """Canonical region the endpoint belongs to (None for non-DashScope servers)."""

    workspace_id: str | None = None
    """Workspace id for workspace-dedicated hosts (``DASHSCOPE_WORKSPACE_ID``)."""

    plan: str | None = None
    """Billing plan of the endpoint: "payg", "coding" or "trial" (``DASHSCOPE_PLAN``;
    "coding" by itself for an ``sk-sp-`` key), "token" for a Token Plan base URL."""

    stop: str | list[str] | list[int] | list[list[int]] | None = Field(  # type: ignore[assignment]
        default=None, alias="stop_sequences"
    )
    """Stop strings or Qwen token ids (never mixed)."""

    top_k: int | None = None
    """Sample from the k most likely tokens (None or >100 disables)."""

    enable_thinking: bool | None = None
    """Reasoning switch of hybrid models (None: the model's default)."""

    thinking_budget: int | None = None
    """Max reasoning tokens."""

    enable_search: bool | None = None
    """Web search."""

    search_options: dict[str, Any] | None = None
    """Web search strategy (forced_search, enable_source, search_strategy, ...).
    ``search_strategy="agent_max"`` (search and full-page reading) is answered on
    streams only: ``invoke`` streams for it."""

    enable_code_interpreter: bool | None = None
    """DashScope's built-in Python sandbox; needs thinking and a stream (``invoke``
    streams for it). The executed code is not returned in compatible mode."""

    preserve_thinking: bool | None = None
    """Qwen3.6+: keep earlier turns' reasoning in context (agent loops). Sends past
    turns' ``reasoning_content`` back; top level on DashScope,
    ``chat_template_kwargs`` on vLLM/SGLang."""

    response_format: dict[str, Any] | None = None
    """``{"type": "json_object"}`` or a ``json_schema`` format for every call."""

    vl_high_resolution_images: bool | None = None
    """Raise the pixel budget for images (VL models)."""

    translation_options: dict[str, Any] | None = None
    """qwen-mt translation options (source_lang, target_lang, terms, ...)."""

    modalities: list[str] | None = None
    """Output modalities of Qwen-Omni: ``["text"]`` or ``["text", "audio"]``."""

    audio: dict[str, Any] | None = None
    """Qwen-Omni voice output, e.g. ``{"voice": "Cherry", "format": "wav"}``. The
    audio arrives in ``additional_kwargs["audio"]`` (and, with
    ``output_version="v1"``, as an audio content block)."""

    server: ServerChoice = "auto"
    """Which server ``base_url`` points at, to shape the request for it.

    ``"dashscope"`` sends DashScope's own parameters. ``"vllm"``, ``"sglang"`` and
    ``"openai"`` (any OpenAI-compatible server running Qwen's chat template) send the
    thinking switch inside ``chat_template_kwargs``;
    ``"ollama"`` as ``reasoning_effort`` (``"none"`` turns it off). DashScope-only
    parameters (``enable_search``, ``thinking_budget``, ...) are not sent to those
    servers, with a warning. ``"auto"``: ``"dashscope"`` for Alibaba Cloud hosts and
    ``/compatible-mode/`` paths, ``"ollama"`` for port 11434, else ``"openai"``."""

    include_reasoning_in_history: bool = False
    """Send past turns' ``reasoning_content`` back to the model (off: as DashScope
    recommends, reasoning is not part of the conversation history)."""

    thinking_tool_choice: Literal["raise", "auto"] = "auto"
    """What to do when a request that DashScope refuses while thinking (a forced
    ``tool_choice``, a JSON ``response_format``) meets thinking that was asked for
    (``enable_thinking=True``) or that the model cannot turn off: ``"auto"`` sends
    ``tool_choice="auto"`` and asks for JSON in a system instruction, with a
    warning; ``"raise"`` refuses with a clear error before sending. Thinking that
    is only the model's default is turned off for such a request instead."""

    stream_usage: bool | None = True
    """Ask for token usage on streams (DashScope only sends it when asked)."""

    use_responses_api: bool | None = None
    """Use DashScope's Responses API (``True``), Chat Completions (``False``), or
    choose per call (``None``): the Responses API when a built-in tool
    (``{"type": "web_search"}``, ...), ``previous_response_id``,
    ``use_previous_response_id`` or ``session_cache`` asks for it. Served in the
    Singapore, Beijing and US regions."""

    session_cache: bool = False
    """DashScope's session cache for multi-turn Responses-API conversations (sends
    ``x-dashscope-session-cache: enable``; cached input is billed at 10%, cache
    creation at 125%). Selects the Responses API."""

    max_event_bytes: int = Field(default=_http.DEFAULT_MAX_EVENT_BYTES, gt=0)
    """Largest server-sent event accepted in a stream (default 32 MiB); a larger one
    (or a non-streamed answer over 4x this) fails with ``DashScopeStreamError``
    carrying ``exc.partial``, instead of being buffered without end."""

    # No input values in validation errors: the input holds the API key.
    model_config = ConfigDict(populate_by_name=True, hide_input_in_errors=True)

    _target_cache: tuple[int, _http.RequestSpec] | None = PrivateAttr(default=None)

    # -- construction --
    @model_validator(mode="before")
    @classmethod
    def _resolve_qwen_endpoint(cls, values: Any) -> Any:
        """Resolve base URL, region and key before BaseChatOpenAI builds its clients.

        Named uniquely: a ``validate_environment`` here would replace (not extend)
        the base class validator and lose its cached HTTP clients.
        """
        if not isinstance(values, dict):
            return values
        return prepare_values(values, cls)

    @model_validator(mode="after")
    def _check_qwen_key(self) -> Self:
        """Strip white space around the key (with a warning); refuse control chars."""
        if isinstance(self.openai_api_key, SecretStr):
            self.openai_api_key = clean_key(self.openai_api_key)
        return self

    @model_validator(mode="after")
    def _set_qwen_version(self) -> Self:
        """Stamp the package version into the client metadata."""
        self._add_version("langchain-qwen", __version__)
        return self

    def __repr_args__(self) -> Any:
        # No URL password or header value (they may hold secrets) in repr(llm).
        return redacted_repr_args(super().__repr_args__())

    # -- identity --
    @property
    def _llm_type(self) -> str:
        return "chat-qwen"

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Constructor argument names -> secret ids.

        A base URL with user info (``https://user:password@proxy/...``) is a secret
        too: ``dumps`` writes a reference and ``load`` takes it from ``secrets_map``.
        """
        return connection_secrets(self.openai_api_base)

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """Serialization namespace."""
        return ["langchain_qwen", "chat_models"]

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """ChatQwen can be serialized with ``dumpd``/``dumps``."""
        return True

    def _get_ls_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = _wire.PROVIDER
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        return instance_profile(
            get_model_profile(self.model_name), self.model_name, self.enable_thinking
        )

    @property
    def _default_params(self) -> dict[str, Any]:
        return _rules.default_params(super()._default_params, self)

    # -- request body --
    def _get_request_payload(
        self,
        input_: LanguageModelInput,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> dict:
        """The exact JSON body sent (one pass: parent payload, then the dialect)."""
        if _responses_api.wanted(self, kwargs):
            messages = self._convert_input(input_).to_messages()
            return _responses_api.payload(self, messages, stop, kwargs)
        kwargs.pop("ls_structured_output_format", None)
        _rules.check_call_kwargs(kwargs)
        call_extra = kwargs.pop("extra_body", None) or {}
        dialect = self._dialect()
        messages = dialect.messages_in(
            self._convert_input(input_).to_messages(),
            str(kwargs.get("model") or self.model_name),
        )
        payload = super()._get_request_payload(messages, stop=stop, **kwargs)
        return dialect.body(
            messages,
            payload,
            Settings(
                extra_body=self.extra_body,
                include_reasoning=self.include_reasoning_in_history,
                thinking_tool_choice=self.thinking_tool_choice,
                disabled=self.disabled_params,
            ),
            call_extra=call_extra,
            call_keys=set(kwargs),
            explicit_stop=stop is not None,
        )

    def _dialect(self) -> Dialect:
        return dialect_for(resolve_server(self.server, self.openai_api_base))

    # -- sending --
    def _request_target(
        self, model: str | None, token: str | None = None
    ) -> _http.RequestSpec:
        # A QwenRateLimiter retries itself, after a booked slot (_chat.rate_limited).
        retries = 0 if self._qwen_limiter() else self._retries()
        self._target_cache, target = cached_target(
            self, self._target_cache, model, token, self.request_timeout, retries
        )
        return target

    async def _arequest_target(self, model: str | None) -> _http.RequestSpec:
        token = await key_function_token(self.openai_api_key)
        return self._request_target(model, token)

    def _sync_http(self) -> Any:
        if self.root_client is None:  # langchain-openai builds none for an async key
            msg = "api_key is an async function: use ainvoke/astream for this model."
            raise ValueError(msg)
        return self.root_client._client

    def _async_http(self) -> Any:
        if self.http_async_client is not None or self.http_socket_options:
            # The user's own client as given, or langchain-openai's with the
            # socket options (and proxy) applied.
            return self.root_async_client._client
        return _http.loop_async_client()

    def _must_stream(self, model: str, kwargs: dict[str, Any]) -> bool:
        return (
            self.streaming
            or get_qwen_traits(model)["stream_only"]
            or _rules.needs_stream({**self._default_params, **kwargs})
        )

    # -- the two call paths: Chat Completions (_chat.completions) or Responses --
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        model = str(kwargs.get("model") or self.model_name)
        if self._must_stream(model, kwargs):
            return _wire.generate_from_chunks(
                self._stream(messages, stop, run_manager, **kwargs),
                self.output_version,
            )
        if _responses_api.wanted(self, kwargs):
            return _responses_api.generate(self, messages, stop, kwargs)
        return completions.generate(self, messages, stop, run_manager, kwargs)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        model = str(kwargs.get("model") or self.model_name)
        if self._must_stream(model, kwargs):
            return await _wire.agenerate_from_chunks(
                self._astream(messages, stop, run_manager, **kwargs),
                self.output_version,
            )
        if _responses_api.wanted(self, kwargs):
            return await _responses_api.agenerate(self, messages, stop, kwargs)
        return await completions.agenerate(self, messages, stop, run_manager, kwargs)

    def _response_info(self, response: Any) -> dict[str, Any]:
        info: dict[str, Any] = {}
        if request_id := response.headers.get("x-request-id"):
            info["request_id"] = request_id
        if self.include_response_headers:
            info["headers"] = dict(response.headers)
        return info

    # _stream/_astream (RateLimitedCalls) run these, through a QwenRateLimiter if set.
    def _stream_once(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        *,
        stream_usage: bool | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if _responses_api.wanted(self, kwargs):
            return _responses_api.stream(self, messages, stop, run_manager, kwargs)
        return completions.stream(
            self, messages, stop, run_manager, stream_usage, kwargs
        )

    def _astream_once(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        *,
        stream_usage: bool | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        if _responses_api.wanted(self, kwargs):
            return _responses_api.astream(self, messages, stop, run_manager, kwargs)
        return completions.astream(
            self, messages, stop, run_manager, stream_usage, kwargs
        )

    # -- tools and structured output --
    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable | BaseTool],
        *,
        tool_choice: dict | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        response_format: dict[str, Any] | type | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (pydantic classes, functions, ``@tool``s, OpenAI dicts).

        Args:
            tools: the tools; each becomes an OpenAI-format function definition,
                JSON-schema dicts and OpenAI dicts included, except DashScope's
                built-in tools (a dict whose type is ``web_search``,
                ``web_extractor``, ``code_interpreter``, ``web_search_image``,
                ``image_search`` or ``file_search``), which run on the server
                and are sent through the Responses API.
            tool_choice: ``"auto"``, ``"none"``, ``"required"`` (``"any"``/``True``),
                a bound tool's name, or an OpenAI ``tool_choice`` dict. DashScope
                refuses a forced choice while thinking: thinking that is only the
                model's default is turned off for the request; thinking asked for
                or always on gets ``"auto"`` with a warning (or an error with
                ``thinking_tool_choice="raise"``).
            strict: add ``strict`` to every function definition, OpenAI dicts
                included (None: omit it; True by default with ``response_format``,
                as in ChatOpenAI).
            parallel_tool_calls: sent as given (DashScope's default is false).
            response_format: a schema (pydantic class, TypedDict, JSON schema) for
                the final answer, sent as a ``json_schema`` format.
            kwargs: other parameters bound with the tools.
        """
        formatted, bound = bind_tools_kwargs(
            tools,
            tool_choice=tool_choice,
            strict=strict,
            parallel_tool_calls=parallel_tool_calls,
            response_format=response_format,
        )
        return self.bind(tools=formatted, **bound, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal[
            "function_calling", "json_mode", "json_schema"
        ] = "function_calling",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict | BaseModel]:
        """Model output shaped by ``schema`` (pydantic class, TypedDict or JSON schema).

        The default, ``"function_calling"``, works on every Qwen model that calls
        tools (commercial, open-source and self-hosted), whereas ``"json_schema"`` is
        served only by qwen3-max, qwen-plus and qwen-flash (2025-07-28 and later).
        ``"json_mode"`` asks for ``{"type": "json_object"}`` and adds a short
        "Respond with a single JSON object." system instruction when the messages do
        not mention JSON (DashScope refuses JSON mode otherwise).

        DashScope refuses JSON modes and forced tool calls while thinking, so on a
        hybrid model (Qwen3.5+ think by default) thinking is off for these calls;
        pass ``enable_thinking=True`` here to keep it. While thinking (kept, or on
        models that always think: QwQ, QVQ, ``-thinking``), ``function_calling``
        lets the model choose the tool (``tool_choice="auto"``), the JSON methods
        put the schema in a system instruction, and an answer that does not parse
        is asked for once more. An answer that still does not parse (or has no
        tool call) raises ``OutputParserException`` (``include_raw=True``: in
        ``parsing_error``), never gives ``None``; ``stream`` yields it too.

        Args:
            schema: the output schema; may be None only for ``json_mode``.
            method: ``"function_calling"``, ``"json_mode"`` or ``"json_schema"``.
            include_raw: return ``{"raw", "parsed", "parsing_error"}``.
            strict: request strict schema adherence (function or json_schema).
            kwargs: other parameters bound with the request.
        """
        return build_structured_output(
            self,
            schema,
            method=method,
            include_raw=include_raw,
            strict=strict,
            model=self.model_name,
            instance_thinking=self.enable_thinking,
            **kwargs,
        )

    # -- token counting (Qwen's own tokenizer, offline) --
    def get_token_ids(self, text: str) -> list[int]:
        """Qwen token ids of ``text`` (needs the ``langchain-qwen[tokenizer]`` extra).

        Uses the vocabulary of this instance's model: Qwen3.5 and later count with
        the 248k-token ``qwen3_6`` vocabulary, older models with the Qwen2.5/Qwen3
        one (e.g. 你好啊 -> [108386, 103924]). ``custom_get_token_ids`` replaces it.
        """
        if self.custom_get_token_ids is not None:
            return self.custom_get_token_ids(text)
        return get_tokenizer(self._vocabulary()).encode(text)

    def _vocabulary(self) -> str:
        return get_qwen_traits(self.model_name)["tokenizer"]

    def get_num_tokens_from_messages(
        self,
        messages: Sequence[BaseMessage],
        tools: Sequence[dict[str, Any] | type | Callable | BaseTool] | None = None,
        *,
        allow_fetching_images: bool = False,
    ) -> int:
        """Prompt tokens of ``messages`` (and ``tools``) under Qwen's chat template.

        Counts the ChatML special tokens, tool schemas in the system block, tool
        calls and tool responses as Qwen3's template renders them; an estimate of
        what DashScope bills, which applies its own server-side templates. Images
        are not counted (``allow_fetching_images`` is accepted for compatibility).
        The vocabulary is the model's (see ``get_token_ids``); with
        ``custom_get_token_ids``, LangChain's generic count uses it instead.
        """
        if self.custom_get_token_ids is not None:
            return BaseLanguageModel.get_num_tokens_from_messages(
                self, list(messages), tools
            )
        return count_message_tokens(
            list(messages),
            list(tools) if tools else None,
            vocabulary=self._vocabulary(),
        )

    # -- response --
    def _create_chat_result(
        self,
        response: dict | Any,
        generation_info: dict | None = None,
    ) -> ChatResult:
        """Build the result straight from the response dict (no pydantic round trip)."""
        data = response if isinstance(response, dict) else response.model_dump()
        return _wire.chat_result(
            data,
            generation_info,
            model_name=self.model_name,
            output_version=self.output_version,
        )
