"""Model profile data for Qwen models on DashScope.

`_profiles` holds the data; read it through `langchain_qwen._model_profiles`.
"""
