"""The Responses API call path (``use_responses_api``). Never imports ``_chat``."""
