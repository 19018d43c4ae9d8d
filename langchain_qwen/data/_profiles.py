"""Model profiles for Qwen models served by Alibaba Cloud Model Studio (DashScope).

Hand-maintained data, read by `langchain_qwen._model_profiles`.

Sources:

* Alibaba Cloud Model Studio, "OpenAI compatible - Chat" (last updated
  2026-03-18): the supported-model lists per region (Global, International =
  Singapore, US (Virginia), Chinese mainland = Beijing, Hong Kong). Every model
  named there has an entry below, including the named snapshots.
* The project's DashScope notes (`dashscope-notes.md`): the context / max-output
  figures in its "Model limits" section, and the parameter rules behind the
  traits (`enable_thinking` defaults, `n`, `json_schema`, stream-only models).
* General knowledge of Alibaba's model catalogue for everything else. Such
  values carry an `# unverified` comment; check them against the vendor's
  model page before relying on them.

`_PROFILES` maps a model id to a dict holding only `ModelProfile` keys from
langchain-core. `max_input_tokens` is the context window, as `ModelProfile`
defines it; some models accept less input than that, the rest being reserved
for output or reasoning. `structured_output` means native `json_schema`
response_format, which is what LangChain's provider strategy sends; many more
models accept `json_object` mode.

`_QWEN_TRAITS` holds DashScope behaviour `ModelProfile` has no key for, same ids:

* `thinking`: "hybrid" (`enable_thinking` switch, default off), "hybrid_default_on"
  (switch, default on: open-source hybrid models), "always" (thinking only;
  `enable_thinking=False` is rejected) or "never".
* `stream_only`: the model only answers streaming requests.
* `json_schema`: strict `json_schema` response_format is accepted.
* `supports_n`: `n` > 1 is accepted.
* `regions`: regions whose shared endpoint offers the model, out of "singapore",
  "us", "china" (Beijing) and "hongkong": the page's lists, directly or through
  an "and later" entry (general knowledge for models the page does not name).
* `global_deployment`: also listed for the Global deployment mode.

`_SNAPSHOT_FLOORS` records the page's "<snapshot> and later snapshot versions"
entries: for each region (and "global"), the family alias and the first dated
snapshot it offers. It places dated snapshots that have no entry here.
"""

from typing import Any

_PROFILES: dict[str, dict[str, Any]] = {
    # --- Qwen-Max series ---
    # Limits from dashscope-notes. Thinking assumed from the 2026-01-23 snapshot,
    # which the stable alias is taken to follow (unverified).
    "qwen3-max": {
        "name": "Qwen3-Max",
        "max_input_tokens": 262_144,
        "max_output_tokens": 65_536,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    "qwen3-max-preview": {
        "name": "Qwen3-Max Preview",
        "max_input_tokens": 262_144,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,  # unverified
        "temperature": True,
        "open_weights": False,
    },
    # First stable Qwen3-Max snapshot: non-thinking only.
    "qwen3-max-2025-09-23": {
        "name": "Qwen3-Max (2025-09-23)",
        "max_input_tokens": 262_144,
        "max_output_tokens": 65_536,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    # Singapore/Beijing/Global via 'qwen3-max-2025-09-23 and later'.
    "qwen3-max-2026-01-23": {
        "name": "Qwen3-Max (2026-01-23)",
        "max_input_tokens": 262_144,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    # Qwen2.5-Max based; limits from dashscope-notes.
    "qwen-max": {
        "name": "Qwen-Max",
        "max_input_tokens": 32_768,
        "max_output_tokens": 8_192,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-max-latest": {
        "name": "Qwen-Max Latest",
        "max_input_tokens": 32_768,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # Beijing via 'qwen-max-2024-09-19 and later'.
    "qwen-max-2025-01-25": {
        "name": "Qwen-Max (2025-01-25)",
        "max_input_tokens": 32_768,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-max-2024-09-19": {
        "name": "Qwen-Max (2024-09-19)",
        "max_input_tokens": 32_768,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # --- Qwen3.5 commercial (natively multimodal) ---
    # Limits from dashscope-notes.
    "qwen3.5-plus": {
        "name": "Qwen3.5-Plus",
        "max_input_tokens": 1_000_000,
        "max_output_tokens": 65_536,
        "text_inputs": True,
        "image_inputs": True,  # unverified
        "image_url_inputs": True,  # unverified
        "audio_inputs": False,
        "video_inputs": True,  # unverified
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,  # unverified
        "temperature": True,
        "open_weights": False,
    },
    "qwen3.5-plus-2026-02-15": {
        "name": "Qwen3.5-Plus (2026-02-15)",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": True,  # unverified
        "image_url_inputs": True,  # unverified
        "audio_inputs": False,
        "video_inputs": True,  # unverified
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,  # unverified
        "temperature": True,
        "open_weights": False,
    },
    "qwen3.5-flash": {
        "name": "Qwen3.5-Flash",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": True,  # unverified
        "image_url_inputs": True,  # unverified
        "audio_inputs": False,
        "video_inputs": True,  # unverified
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,  # unverified
        "temperature": True,
        "open_weights": False,
    },
    "qwen3.5-flash-2026-02-23": {
        "name": "Qwen3.5-Flash (2026-02-23)",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": True,  # unverified
        "image_url_inputs": True,  # unverified
        "audio_inputs": False,
        "video_inputs": True,  # unverified
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,  # unverified
        "temperature": True,
        "open_weights": False,
    },
    # --- Qwen-Plus series ---
    # Limits from dashscope-notes.
    "qwen-plus": {
        "name": "Qwen-Plus",
        "max_input_tokens": 1_000_000,
        "max_output_tokens": 32_768,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-plus-latest": {
        "name": "Qwen-Plus Latest",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    # Qwen2.5-based snapshot: no thinking, no json_schema. Beijing via 'qwen-
    # plus-2024-12-20 and later'.
    "qwen-plus-2025-01-25": {
        "name": "Qwen-Plus (2025-01-25)",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-plus-2024-12-20": {
        "name": "Qwen-Plus (2024-12-20)",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # Not named on the vendor page (covered by 'and later'); listed because its limits
    # differ from the family alias. First Qwen3-based snapshot.
    "qwen-plus-2025-04-28": {
        "name": "Qwen-Plus (2025-04-28)",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 16_384,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # Not named on the vendor page; limits differ from the family alias. Snapshots
    # from 2025-07-28 on resolve to 'qwen-plus'.
    "qwen-plus-2025-07-14": {
        "name": "Qwen-Plus (2025-07-14)",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 16_384,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # --- US (Virginia) only ---
    "qwen-plus-us": {
        "name": "Qwen-Plus (US)",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-plus-2025-12-01-us": {
        "name": "Qwen-Plus (2025-12-01, US)",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-flash-us": {
        "name": "Qwen-Flash (US)",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-flash-2025-07-28-us": {
        "name": "Qwen-Flash (2025-07-28, US)",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    # --- Qwen-Flash series ---
    # Limits from dashscope-notes.
    "qwen-flash": {
        "name": "Qwen-Flash",
        "max_input_tokens": 1_000_000,
        "max_output_tokens": 32_768,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-flash-2025-07-28": {
        "name": "Qwen-Flash (2025-07-28)",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": True,
        "temperature": True,
        "open_weights": False,
    },
    # --- Qwen-Turbo series ---
    # Limits from dashscope-notes.
    "qwen-turbo": {
        "name": "Qwen-Turbo",
        "max_input_tokens": 1_000_000,
        "max_output_tokens": 16_384,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-turbo-latest": {
        "name": "Qwen-Turbo Latest",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 16_384,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # Qwen2.5-based snapshot; Beijing lists only 2025-04-28 and later.
    "qwen-turbo-2024-11-01": {
        "name": "Qwen-Turbo (2024-11-01)",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # Singapore via 'qwen-turbo-2024-11-01 and later'.
    "qwen-turbo-2025-04-28": {
        "name": "Qwen-Turbo (2025-04-28)",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 16_384,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # --- Qwen-Coder series ---
    # Limits from dashscope-notes.
    "qwen3-coder-plus": {
        "name": "Qwen3-Coder-Plus",
        "max_input_tokens": 1_048_576,
        "max_output_tokens": 65_536,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen3-coder-plus-2025-07-22": {
        "name": "Qwen3-Coder-Plus (2025-07-22)",
        "max_input_tokens": 1_048_576,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen3-coder-flash": {
        "name": "Qwen3-Coder-Flash",
        "max_input_tokens": 1_048_576,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen3-coder-flash-2025-07-28": {
        "name": "Qwen3-Coder-Flash (2025-07-28)",
        "max_input_tokens": 1_048_576,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-coder-plus": {
        "name": "Qwen-Coder-Plus",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-coder-plus-latest": {
        "name": "Qwen-Coder-Plus Latest",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-coder-plus-2024-11-06": {
        "name": "Qwen-Coder-Plus (2024-11-06)",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-coder-turbo": {
        "name": "Qwen-Coder-Turbo",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-coder-turbo-latest": {
        "name": "Qwen-Coder-Turbo Latest",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-coder-turbo-2024-09-19": {
        "name": "Qwen-Coder-Turbo (2024-09-19)",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # --- QwQ series (thinking only, stream only) ---
    # Limits from dashscope-notes.
    "qwq-plus": {
        "name": "QwQ-Plus",
        "max_input_tokens": 131_072,
        "max_output_tokens": 8_192,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": False,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwq-plus-latest": {
        "name": "QwQ-Plus Latest",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": False,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwq-plus-2025-03-05": {
        "name": "QwQ-Plus (2025-03-05)",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": False,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # --- Qwen-Math (Beijing only) ---
    "qwen-math-plus": {
        "name": "Qwen-Math-Plus",
        "max_input_tokens": 4_096,  # unverified
        "max_output_tokens": 3_072,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": False,
        "tool_choice": False,
        "tool_call_streaming": False,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-math-plus-latest": {
        "name": "Qwen-Math-Plus Latest",
        "max_input_tokens": 4_096,  # unverified
        "max_output_tokens": 3_072,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": False,
        "tool_choice": False,
        "tool_call_streaming": False,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-math-plus-2024-08-16": {
        "name": "Qwen-Math-Plus (2024-08-16)",
        "max_input_tokens": 4_096,  # unverified
        "max_output_tokens": 3_072,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": False,
        "tool_choice": False,
        "tool_call_streaming": False,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-math-turbo": {
        "name": "Qwen-Math-Turbo",
        "max_input_tokens": 4_096,  # unverified
        "max_output_tokens": 3_072,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": False,
        "tool_choice": False,
        "tool_call_streaming": False,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-math-turbo-latest": {
        "name": "Qwen-Math-Turbo Latest",
        "max_input_tokens": 4_096,  # unverified
        "max_output_tokens": 3_072,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": False,
        "tool_choice": False,
        "tool_call_streaming": False,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-math-turbo-2024-09-19": {
        "name": "Qwen-Math-Turbo (2024-09-19)",
        "max_input_tokens": 4_096,  # unverified
        "max_output_tokens": 3_072,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": False,
        "tool_choice": False,
        "tool_call_streaming": False,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # --- Open source: Qwen3.5 (natively multimodal) ---
    "qwen3.5-397b-a17b": {
        "name": "Qwen3.5-397B-A17B",
        "max_input_tokens": 262_144,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": True,  # unverified
        "image_url_inputs": True,  # unverified
        "audio_inputs": False,
        "video_inputs": True,  # unverified
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3.5-120b-a10b": {
        "name": "Qwen3.5-120B-A10B",
        "max_input_tokens": 262_144,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": True,  # unverified
        "image_url_inputs": True,  # unverified
        "audio_inputs": False,
        "video_inputs": True,  # unverified
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3.5-27b": {
        "name": "Qwen3.5-27B",
        "max_input_tokens": 262_144,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": True,  # unverified
        "image_url_inputs": True,  # unverified
        "audio_inputs": False,
        "video_inputs": True,  # unverified
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3.5-35b-a3b": {
        "name": "Qwen3.5-35B-A3B",
        "max_input_tokens": 262_144,  # unverified
        "max_output_tokens": 65_536,  # unverified
        "text_inputs": True,
        "image_inputs": True,  # unverified
        "image_url_inputs": True,  # unverified
        "audio_inputs": False,
        "video_inputs": True,  # unverified
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    # --- Open source: Qwen3 ---
    "qwen3-next-80b-a3b-thinking": {
        "name": "Qwen3-Next-80B-A3B-Thinking",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": False,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3-next-80b-a3b-instruct": {
        "name": "Qwen3-Next-80B-A3B-Instruct",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3-235b-a22b-thinking-2507": {
        "name": "Qwen3-235B-A22B-Thinking-2507",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": False,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3-235b-a22b-instruct-2507": {
        "name": "Qwen3-235B-A22B-Instruct-2507",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3-30b-a3b-thinking-2507": {
        "name": "Qwen3-30B-A3B-Thinking-2507",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": False,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3-30b-a3b-instruct-2507": {
        "name": "Qwen3-30B-A3B-Instruct-2507",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    # Limits from dashscope-notes.
    "qwen3-235b-a22b": {
        "name": "Qwen3-235B-A22B",
        "max_input_tokens": 131_072,
        "max_output_tokens": 16_384,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    # Limits from dashscope-notes.
    "qwen3-32b": {
        "name": "Qwen3-32B",
        "max_input_tokens": 131_072,
        "max_output_tokens": 16_384,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3-30b-a3b": {
        "name": "Qwen3-30B-A3B",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 16_384,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    # Limits from dashscope-notes.
    "qwen3-14b": {
        "name": "Qwen3-14B",
        "max_input_tokens": 131_072,
        "max_output_tokens": 8_192,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    # Limits from dashscope-notes.
    "qwen3-8b": {
        "name": "Qwen3-8B",
        "max_input_tokens": 131_072,
        "max_output_tokens": 8_192,
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3-4b": {
        "name": "Qwen3-4B",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3-1.7b": {
        "name": "Qwen3-1.7B",
        "max_input_tokens": 32_768,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen3-0.6b": {
        "name": "Qwen3-0.6B",
        "max_input_tokens": 32_768,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    # --- Open source: Qwen2.5 ---
    "qwen2.5-14b-instruct-1m": {
        "name": "Qwen2.5-14B-Instruct-1M",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen2.5-7b-instruct-1m": {
        "name": "Qwen2.5-7B-Instruct-1M",
        "max_input_tokens": 1_000_000,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen2.5-72b-instruct": {
        "name": "Qwen2.5-72B-Instruct",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen2.5-32b-instruct": {
        "name": "Qwen2.5-32B-Instruct",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen2.5-14b-instruct": {
        "name": "Qwen2.5-14B-Instruct",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen2.5-7b-instruct": {
        "name": "Qwen2.5-7B-Instruct",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,
        "tool_choice": True,
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen2.5-3b-instruct": {
        "name": "Qwen2.5-3B-Instruct",
        "max_input_tokens": 32_768,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen2.5-1.5b-instruct": {
        "name": "Qwen2.5-1.5B-Instruct",
        "max_input_tokens": 32_768,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    "qwen2.5-0.5b-instruct": {
        "name": "Qwen2.5-0.5B-Instruct",
        "max_input_tokens": 32_768,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": True,
    },
    # --- Not in the vendor page's lists; all from general knowledge ---
    # Limits from dashscope-notes.
    "qwen3-vl-plus": {
        "name": "Qwen3-VL-Plus",
        "max_input_tokens": 262_144,
        "max_output_tokens": 32_768,
        "text_inputs": True,
        "image_inputs": True,
        "image_url_inputs": True,
        "audio_inputs": False,
        "video_inputs": True,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen3-vl-flash": {
        "name": "Qwen3-VL-Flash",
        "max_input_tokens": 262_144,  # unverified
        "max_output_tokens": 32_768,  # unverified
        "text_inputs": True,
        "image_inputs": True,
        "image_url_inputs": True,
        "audio_inputs": False,
        "video_inputs": True,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,  # unverified
        "tool_calling": True,
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    # Limits from dashscope-notes.
    "qwen-vl-max": {
        "name": "Qwen-VL-Max",
        "max_input_tokens": 131_072,
        "max_output_tokens": 8_192,
        "text_inputs": True,
        "image_inputs": True,
        "image_url_inputs": True,
        "audio_inputs": False,
        "video_inputs": True,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-vl-plus": {
        "name": "Qwen-VL-Plus",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": True,
        "image_url_inputs": True,
        "audio_inputs": False,
        "video_inputs": True,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qvq-max": {
        "name": "QVQ-Max",
        "max_input_tokens": 131_072,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": True,
        "image_url_inputs": True,
        "audio_inputs": False,
        "video_inputs": True,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": True,
        "tool_calling": False,
        "tool_choice": False,
        "tool_call_streaming": False,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-omni-turbo": {
        "name": "Qwen-Omni-Turbo",
        "max_input_tokens": 32_768,  # unverified
        "max_output_tokens": 2_048,  # unverified
        "text_inputs": True,
        "image_inputs": True,
        "image_url_inputs": True,
        "audio_inputs": True,
        "video_inputs": True,
        "text_outputs": True,
        "audio_outputs": True,
        "reasoning_output": False,
        "tool_calling": False,  # unverified
        "tool_choice": False,  # unverified
        "tool_call_streaming": False,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen3-omni-flash": {
        "name": "Qwen3-Omni-Flash",
        "max_input_tokens": 65_536,  # unverified
        "max_output_tokens": 16_384,  # unverified
        "text_inputs": True,
        "image_inputs": True,
        "image_url_inputs": True,
        "audio_inputs": True,
        "video_inputs": True,
        "text_outputs": True,
        "audio_outputs": True,
        "reasoning_output": True,  # unverified
        "tool_calling": True,  # unverified
        "tool_choice": True,  # unverified
        "tool_call_streaming": True,  # unverified
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-mt-plus": {
        "name": "Qwen-MT-Plus",
        "max_input_tokens": 16_384,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": False,
        "tool_choice": False,
        "tool_call_streaming": False,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
    "qwen-mt-turbo": {
        "name": "Qwen-MT-Turbo",
        "max_input_tokens": 16_384,  # unverified
        "max_output_tokens": 8_192,  # unverified
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "text_outputs": True,
        "audio_outputs": False,
        "reasoning_output": False,
        "tool_calling": False,
        "tool_choice": False,
        "tool_call_streaming": False,
        "structured_output": False,
        "temperature": True,
        "open_weights": False,
    },
}

_QWEN_TRAITS: dict[str, dict[str, Any]] = {
    # --- Qwen-Max series ---
    "qwen3-max": {
        "thinking": "hybrid",  # unverified
        "stream_only": False,
        "json_schema": True,
        "supports_n": False,
        "regions": ("singapore", "china", "hongkong"),
        "global_deployment": True,
    },
    "qwen3-max-preview": {
        "thinking": "hybrid",  # unverified
        "stream_only": False,
        "json_schema": False,  # unverified
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-max-2025-09-23": {
        "thinking": "never",  # unverified
        "stream_only": False,
        "json_schema": True,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-max-2026-01-23": {
        "thinking": "hybrid",  # unverified
        "stream_only": False,
        "json_schema": True,
        "supports_n": False,
        "regions": ("singapore", "china", "hongkong"),
        "global_deployment": True,
    },
    "qwen-max": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen-max-latest": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen-max-2025-01-25": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen-max-2024-09-19": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    # --- Qwen3.5 commercial (natively multimodal) ---
    "qwen3.5-plus": {
        "thinking": "hybrid_default_on",  # vendor thinking guide
        "stream_only": False,
        "json_schema": False,  # unverified
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen3.5-plus-2026-02-15": {
        "thinking": "hybrid_default_on",  # vendor thinking guide
        "stream_only": False,
        "json_schema": False,  # unverified
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen3.5-flash": {
        "thinking": "hybrid_default_on",  # vendor thinking guide
        "stream_only": False,
        "json_schema": False,  # unverified
        "supports_n": False,
        "regions": ("singapore", "china", "hongkong"),
        "global_deployment": False,
    },
    "qwen3.5-flash-2026-02-23": {
        "thinking": "hybrid_default_on",  # vendor thinking guide
        "stream_only": False,
        "json_schema": False,  # unverified
        "supports_n": False,
        "regions": ("singapore", "china", "hongkong"),
        "global_deployment": False,
    },
    # --- Qwen-Plus series ---
    "qwen-plus": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": True,
        "supports_n": True,
        "regions": ("singapore", "china", "hongkong"),
        "global_deployment": True,
    },
    "qwen-plus-latest": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": True,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen-plus-2025-01-25": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,  # unverified
        "regions": ("singapore", "china", "hongkong"),
        "global_deployment": True,
    },
    "qwen-plus-2024-12-20": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,  # unverified
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-plus-2025-04-28": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,  # unverified
        "regions": ("singapore", "china", "hongkong"),
        "global_deployment": True,
    },
    "qwen-plus-2025-07-14": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,  # unverified
        "regions": ("singapore", "china", "hongkong"),
        "global_deployment": True,
    },
    # --- US (Virginia) only ---
    "qwen-plus-us": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": True,
        "supports_n": True,  # unverified
        "regions": ("us",),
        "global_deployment": False,
    },
    "qwen-plus-2025-12-01-us": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": True,
        "supports_n": True,  # unverified
        "regions": ("us",),
        "global_deployment": False,
    },
    "qwen-flash-us": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": True,
        "supports_n": False,
        "regions": ("us",),
        "global_deployment": False,
    },
    "qwen-flash-2025-07-28-us": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": True,
        "supports_n": False,
        "regions": ("us",),
        "global_deployment": False,
    },
    # --- Qwen-Flash series ---
    "qwen-flash": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": True,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen-flash-2025-07-28": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": True,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    # --- Qwen-Turbo series ---
    "qwen-turbo": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen-turbo-latest": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen-turbo-2024-11-01": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore",),
        "global_deployment": False,
    },
    "qwen-turbo-2025-04-28": {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    # --- Qwen-Coder series ---
    "qwen3-coder-plus": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen3-coder-plus-2025-07-22": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen3-coder-flash": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen3-coder-flash-2025-07-28": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen-coder-plus": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-coder-plus-latest": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-coder-plus-2024-11-06": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-coder-turbo": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-coder-turbo-latest": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-coder-turbo-2024-09-19": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    # --- QwQ series (thinking only, stream only) ---
    "qwq-plus": {
        "thinking": "always",
        "stream_only": True,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwq-plus-latest": {
        "thinking": "always",
        "stream_only": True,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwq-plus-2025-03-05": {
        "thinking": "always",
        "stream_only": True,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    # --- Qwen-Math (Beijing only) ---
    "qwen-math-plus": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-math-plus-latest": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-math-plus-2024-08-16": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-math-turbo": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-math-turbo-latest": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen-math-turbo-2024-09-19": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    # --- Open source: Qwen3.5 (natively multimodal) ---
    "qwen3.5-397b-a17b": {
        "thinking": "hybrid_default_on",  # unverified
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,  # unverified
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen3.5-120b-a10b": {
        "thinking": "hybrid_default_on",  # unverified
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,  # unverified
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen3.5-27b": {
        "thinking": "hybrid_default_on",  # unverified
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,  # unverified
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen3.5-35b-a3b": {
        "thinking": "hybrid_default_on",  # unverified
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,  # unverified
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    # --- Open source: Qwen3 ---
    "qwen3-next-80b-a3b-thinking": {
        "thinking": "always",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-next-80b-a3b-instruct": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-235b-a22b-thinking-2507": {
        "thinking": "always",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-235b-a22b-instruct-2507": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-30b-a3b-thinking-2507": {
        "thinking": "always",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-30b-a3b-instruct-2507": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-235b-a22b": {
        "thinking": "hybrid_default_on",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-32b": {
        "thinking": "hybrid_default_on",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-30b-a3b": {
        "thinking": "hybrid_default_on",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-14b": {
        "thinking": "hybrid_default_on",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-8b": {
        "thinking": "hybrid_default_on",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": True,
    },
    "qwen3-4b": {
        "thinking": "hybrid_default_on",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen3-1.7b": {
        "thinking": "hybrid_default_on",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen3-0.6b": {
        "thinking": "hybrid_default_on",
        "stream_only": False,
        "json_schema": False,
        "supports_n": True,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    # --- Open source: Qwen2.5 ---
    "qwen2.5-14b-instruct-1m": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen2.5-7b-instruct-1m": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen2.5-72b-instruct": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen2.5-32b-instruct": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen2.5-14b-instruct": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen2.5-7b-instruct": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),
        "global_deployment": False,
    },
    "qwen2.5-3b-instruct": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen2.5-1.5b-instruct": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    "qwen2.5-0.5b-instruct": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("china",),
        "global_deployment": False,
    },
    # --- Not in the vendor page's lists; all from general knowledge ---
    "qwen3-vl-plus": {
        "thinking": "hybrid",  # unverified
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),  # unverified
        "global_deployment": False,
    },
    "qwen3-vl-flash": {
        "thinking": "hybrid",  # unverified
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),  # unverified
        "global_deployment": False,
    },
    "qwen-vl-max": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),  # unverified
        "global_deployment": False,
    },
    "qwen-vl-plus": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),  # unverified
        "global_deployment": False,
    },
    "qvq-max": {
        "thinking": "always",
        "stream_only": True,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),  # unverified
        "global_deployment": False,
    },
    "qwen-omni-turbo": {
        "thinking": "never",
        "stream_only": True,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),  # unverified
        "global_deployment": False,
    },
    "qwen3-omni-flash": {
        "thinking": "hybrid",  # unverified
        "stream_only": True,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),  # unverified
        "global_deployment": False,
    },
    "qwen-mt-plus": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),  # unverified
        "global_deployment": False,
    },
    "qwen-mt-turbo": {
        "thinking": "never",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": ("singapore", "china"),  # unverified
        "global_deployment": False,
    },
}

_SNAPSHOT_FLOORS: dict[str, dict[str, str]] = {
    "singapore": {
        "qwen3-max": "2025-09-23",
        "qwen-max": "2025-01-25",
        "qwen3.5-plus": "2026-02-15",
        "qwen-plus": "2025-01-25",
        "qwen3.5-flash": "2026-02-23",
        # The page names qwen-flash-2025-07-28 here without "and later"; read
        # as "and later" like the other regions (probably an omission).
        "qwen-flash": "2025-07-28",
        "qwen-turbo": "2024-11-01",
        "qwen3-coder-plus": "2025-07-22",
        "qwen3-coder-flash": "2025-07-28",
    },
    "us": {
        "qwen-plus-us": "2025-12-01",
        # Named without "and later"; read as "and later" (see singapore).
        "qwen-flash-us": "2025-07-28",
    },
    "china": {
        "qwen3-max": "2025-09-23",
        "qwen-max": "2024-09-19",
        # Named without "and later"; read as "and later" (see singapore).
        "qwen3.5-plus": "2026-02-15",
        "qwen3.5-flash": "2026-02-23",
        "qwen-plus": "2024-12-20",
        "qwen-flash": "2025-07-28",
        "qwen-turbo": "2025-04-28",
        "qwen3-coder-plus": "2025-07-22",
        "qwen3-coder-flash": "2025-07-28",
        "qwen-math-plus": "2024-08-16",
    },
    "hongkong": {
        "qwen3-max": "2026-01-23",
        "qwen-plus": "2025-01-25",
        "qwen3.5-flash": "2026-02-23",
    },
    "global": {
        "qwen3-max": "2025-09-23",
        "qwen-plus": "2025-01-25",
        "qwen-flash": "2025-07-28",
    },
}
"""First dated snapshot per family for each region's "and later" entries."""
