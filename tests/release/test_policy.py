"""The policy files ship with the package; a province's folder (``CASEWORK_SCHEMAS``) is merged
over them file by file, and ``casework --version`` says which file of which version is in force
(issue #18)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from casework import paths
from casework.cli import main
from casework.domain import reference, rubrics

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def province(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A province folder holding one revised rubric and nothing else."""
    raw = yaml.safe_load((REPO / "schemas/rubrics/renewal-2025.1.yaml").read_text("utf-8"))
    raw.update(id="renewal-2026.1", version="2026.1", effective="2026-01-01")
    (tmp_path / "rubrics").mkdir()
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    (tmp_path / "rubrics" / "renewal-2026.1.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("CASEWORK_SCHEMAS", str(tmp_path))
    return tmp_path


def test_in_a_checkout_the_shipped_policy_is_the_repository_folder() -> None:
    assert paths.shipped_schemas() == REPO / "schemas"
    assert paths.notebooks_dir() == REPO / "notebooks"


def test_a_province_rubric_is_added_to_the_shipped_ones(province: Path) -> None:
    versions = set(rubrics.available().query("kind == 'renewal'")["version"])

    assert versions == {"2025.1", "2026.1"}
    assert rubrics.load("renewal").path.parent == (province / "rubrics").resolve()


def test_a_file_missing_from_the_province_folder_comes_from_the_shipped_policy(
    province: Path,
) -> None:
    assert paths.policy_file("reference", "cities.yaml") == REPO / "schemas/reference/cities.yaml"
    assert len(reference.cities()) == 16


def test_a_province_file_replaces_the_shipped_file_of_the_same_name(province: Path) -> None:
    (province / "reference").mkdir()
    shutil.copy(REPO / "schemas/reference/cities.yaml", province / "reference" / "cities.yaml")

    assert paths.policy_file("reference", "cities.yaml") == province / "reference/cities.yaml"


def test_version_names_each_policy_file_its_version_and_origin(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])

    out = capsys.readouterr().out
    assert done.value.code == 0
    assert out.startswith("casework ")
    assert f"rubrics/renewal-2026.1.yaml  renewal-2026.1 2026.1  （{province}）" in out
    assert "rubrics/renewal-2025.1.yaml  renewal-2025.1 2025.1  （随包发布）" in out
