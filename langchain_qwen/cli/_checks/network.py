"""Proxy variables, and whether the DashScope hosts bypass the proxy."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from urllib.parse import urlparse, urlunparse

from langchain_qwen.cli._checks.report import Finding


def redact_url(url: str) -> str:
    """A proxy URL with any ``user:password@`` replaced by ``***@``."""
    try:
        parsed = urlparse(url)
    except ValueError:
        return "***"
    if parsed.username is None and parsed.password is None:
        return url
    host = parsed.hostname or ""
    if parsed.port:
        host = f"{host}:{parsed.port}"
    return urlunparse(parsed._replace(netloc=f"***@{host}"))


def no_proxy_matches(host: str, no_proxy: str) -> str | None:
    """The NO_PROXY entry that exempts ``host``, or None.

    Entries: ``*`` (everything), a domain (``aliyuncs.com``, ``.aliyuncs.com``,
    ``*.aliyuncs.com``: the domain and its subdomains), or an exact host or IP.
    Ports in entries are ignored.
    """
    host = host.lower().strip("[]")
    for entry in no_proxy.split(","):
        item = entry.strip().lower()
        if not item:
            continue
        if item == "*":
            return entry.strip()
        if "://" in item:
            item = item.split("://", 1)[1]
        if not item.startswith("[") and item.count(":") == 1:
            item = item.split(":", 1)[0]
        item = item.strip("[]")
        domain = item.lstrip("*").lstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return entry.strip()
    return None


def proxy_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Effective proxy variables: ``http``, ``https``, ``all``, ``no`` -> value.

    Lower-case names win over upper-case ones, as in urllib, curl and httpx.
    """
    env = os.environ if environ is None else environ
    out: dict[str, str] = {}
    for scheme in ("http", "https", "all", "no"):
        value = env.get(f"{scheme}_proxy") or env.get(f"{scheme.upper()}_PROXY")
        if value:
            out[scheme] = value
    return out


def check_proxies(
    urls: Iterable[str], environ: Mapping[str, str] | None = None
) -> list[Finding]:
    """Report proxy variables and whether requests to ``urls`` use the proxy.

    Args:
        urls: The base URLs ChatQwen would call.
        environ: The environment (default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    proxies = proxy_settings(env)
    if not proxies:
        return [
            Finding("proxy", "ok", "No proxy variables set: connections are direct.")
        ]
    names = sorted(
        n
        for n in env
        if n.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
        and env[n]
    )
    shown = ", ".join(
        f"{n}={env[n]}" if n.lower() == "no_proxy" else f"{n}={redact_url(env[n])}"
        for n in names
    )
    findings = [Finding("proxy", "info", f"Proxy settings: {shown}.")]
    no_proxy = proxies.get("no", "")
    via: list[str] = []
    bypass: list[str] = []
    for url in urls:
        parsed = urlparse(url)
        host = parsed.hostname or ""
        proxy = proxies.get(parsed.scheme or "https") or proxies.get("all")
        if not proxy:
            continue
        entry = no_proxy_matches(host, no_proxy) if no_proxy else None
        if entry is not None:
            bypass.append(f"{host} (NO_PROXY entry {entry!r})")
        else:
            via.append(f"{host} via {redact_url(proxy)}")
    if via:
        findings.append(
            Finding(
                "proxy",
                "info",
                "Requests go through the proxy: "
                + "; ".join(dict.fromkeys(via))
                + ". If they fail, check the proxy or add .aliyuncs.com to NO_PROXY.",
            )
        )
    if bypass:
        findings.append(
            Finding(
                "proxy",
                "info",
                "These hosts bypass the proxy: "
                + "; ".join(dict.fromkeys(bypass))
                + ".",
            )
        )
    schemes = {urlparse(u).scheme for u in urls}
    if (
        "https" in schemes
        and proxies.get("http")
        and not (proxies.get("https") or proxies.get("all"))
    ):
        findings.append(
            Finding(
                "proxy",
                "info",
                "HTTP_PROXY is set but HTTPS_PROXY is not: DashScope uses https://, "
                "so no proxy is used for it.",
            )
        )
    return findings
