"""ChatQwen's own machinery beside its Chat Completions call path.

The constructor contract inherited from ChatOpenAI, structured output, the stream
chunk gap, pickling and the rate-limiter hook. Never imports ``_responses``.
"""
