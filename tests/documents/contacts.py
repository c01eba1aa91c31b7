"""A Jinan bureau with a contact address and telephone (bureaus.yaml ships them empty, and
公示 and 征集公告 are refused without them, SEL-02/SEL-05). Import the fixture to use it."""

from __future__ import annotations

from pathlib import Path

import pytest

ADDRESS = "济南市历下区测试路1号"
PHONE = "0531-12345678"


@pytest.fixture
def jinan_contact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CASEWORK_BUREAUS naming Jinan's contact address and telephone (a test value)."""
    override = tmp_path / "bureaus-contact.yaml"
    override.write_text(
        f'cities:\n  "370100": {{address: {ADDRESS}, phone: "{PHONE}", '
        'doc_number: "济人社函〔{year}〕{number}号"}\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CASEWORK_BUREAUS", str(override))
    return override
