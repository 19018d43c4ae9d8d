"""Diagnostics behind ``langchain-qwen doctor`` and ``langchain-qwen models``.

Everything here returns data (``report``: dataclasses); the command modules
(``cli.doctor``, ``cli.models``) render it. One module per check:

* ``key``: the key's presence and shape (``sk-`` prefix, length, whitespace or
  quotes pasted by mistake, placeholders, an AccessKey ID instead of an API key);
* ``targets`` and ``probes``: which regions accept the key: ``GET {base}/models`` of
  every region with a shared endpoint, in parallel, with a short timeout (keys are
  region-specific); clock sanity, from the ``Date`` header of the responses;
* ``verdict``: whether the model is offered in the region that accepts the key (the
  server's model list, else this package's profile data), and the whole report;
* ``network``: proxy variables, and whether the DashScope hosts bypass the proxy;
* ``catalogue``: the ``models`` command's table.

Testing hook: the region -> base URL table can be replaced with the environment
variable ``LANGCHAIN_QWEN_REGION_URLS`` (a JSON object, e.g.
``{"singapore": "http://127.0.0.1:8000/singapore/compatible-mode/v1"}``) or the
CLI's repeatable ``--region-url REGION=URL``. When given, only the regions named
are probed, so tests against the local emulator never reach the internet.
"""
