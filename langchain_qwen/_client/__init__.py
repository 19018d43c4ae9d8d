"""What every client class (ChatQwen, QwenEmbeddings, QwenRerank, Batch) shares.

``regions`` (the region table), ``endpoint`` (region, workspace, plan, base_url and
key resolution), ``target`` (the request spec built from a client's settings),
``http`` (the one transport: send, retry, event streams, pools), ``errors`` (the
exception classes) and ``limiter`` (DashScope's RPM/TPM rate limiter).
"""
