"""A rate limiter that knows DashScope's requests- and tokens-per-minute limits.

Model Studio limits each model per account by requests per minute (RPM) and tokens per
minute (TPM), and may enforce both per second too (RPM/60, TPM/60; vendor page "Rate
limits"). langchain-core's ``InMemoryRateLimiter`` knows only requests per second, so
``abatch`` either overruns the token limit (429 storms) or wastes the quota.

:class:`QwenRateLimiter` spaces requests evenly under both limits: each request books
its slot and its tokens (prompt tokens from the local Qwen tokenizer when installed,
else a character estimate, plus the completion length seen so far), and the answer's
real usage then corrects the books. On a 429 it slows down (``limit_requests`` and
``limit_burst_rate``: requests; "exceeded your current quota": tokens) and creeps back
to the full rate as answers succeed; ChatQwen retries the refused request itself, after
its new slot, instead of letting the HTTP layer retry blindly.

Example:
    .. code-block:: python

        from langchain_qwen import ChatQwen
        from langchain_qwen.rate_limiters import QwenRateLimiter

        limiter = QwenRateLimiter(requests_per_minute=600, tokens_per_minute=1_000_000)
        llm = ChatQwen(model="qwen-plus", rate_limiter=limiter)
        answers = await llm.abatch(prompts, config={"max_concurrency": 64})

The limiter itself lives in ``langchain_qwen._client.limiter``, beside the
transport it paces, so that every client class can use it.

With other chat models it works as a plain ``BaseRateLimiter`` (requests, and tokens
at the average size it has been told about).
"""

from langchain_qwen._client.limiter import QwenRateLimiter

__all__ = ["QwenRateLimiter"]
