"""电子档案 app in plain pytest: listing by filters, opening a report, verify, holds (EXIT-08)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from casework.archive import ArchivedFile, ObjectStore, record_entry
from casework.errors import PermissionDenied
from casework.store.tables import archive_holds
from casework.ui import archive
from casework.ui.archive import ArchivePage
from tests.registry.conftest import World

from .worlds import (
    MANAGER,
    OFFICER,
    OTHER_CITY,
    Template,
    clone,
    context,
    refusal_reasons,
    texts,
    two_filings,
)

REPORT = b"<html><body><p>filing report</p></body></html>"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return two_filings(tmp_path_factory.mktemp("archive-app"))


@pytest.fixture
def world(template: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("CASEWORK_ARCHIVE", str(tmp_path / "archive"))
    world = clone(template, tmp_path)
    for key, user in (("jinan", OFFICER), ("qingdao", OTHER_CITY)):
        ctx = context(world, user)
        filing_id = template[key]["filing_id"]
        digests = ObjectStore(db_url=world.store.url).put(REPORT + key.encode())
        record_entry(
            world.store,
            ctx.actor,
            procedure="filing",
            case_id=filing_id,
            city_code=ctx.actor.city_code or "",
            subject=f"filing:{filing_id}",
            rubric_id="selection-2025.1",
            parameters={"procedure": "filing", "case_id": filing_id},
            package_version="test",
            files=[ArchivedFile("html", f"{key}.html", digests.sha256, digests.sm3, digests.size)],
            figures={},
        )
    yield world
    world.store.dispose()


def test_a_city_officer_sees_only_the_entries_of_their_city_sup_01(world: World) -> None:
    page = ArchivePage(context(world, OFFICER))

    assert [e.city_code for e in page.entries] == ["370100"]
    assert "公示与备案" in page.listing.value


def test_the_entries_are_filtered_by_procedure_case_and_maker(
    world: World, template: Template
) -> None:
    page = ArchivePage(context(world, MANAGER))

    page.procedure.value = "exit"
    none = page.listing.value
    page.procedure.value = "filing"
    page.case.value = str(template["jinan"]["filing_id"])

    assert "没有符合条件的归档记录" in none
    assert len(page.filtered()) == 1


def test_the_report_opens_inline_in_a_srcdoc_frame_and_as_a_download(world: World) -> None:
    page = ArchivePage(context(world, OFFICER))

    page.file_buttons["view"].click()
    inline = page.shown.value
    page.file_buttons["html"].click()

    assert "srcdoc=" in inline and "filing report" in inline and " src=" not in inline
    assert 'download="jinan.html"' in page.shown.value


def test_verify_shows_an_intact_archive_and_then_a_changed_file(world: World) -> None:
    page = ArchivePage(context(world, OFFICER))
    page.verify_button.click()
    ok = page.verified.value
    digest = page.entries[0].files[0].sha256
    ObjectStore(db_url=world.store.url).path(digest).write_bytes(b"changed")

    page.verify_button.click()

    assert "档案完好" in ok
    assert "档案校验失败" in page.verified.value and "篡改" in page.verified.value


def test_a_manager_places_and_releases_a_hold_with_a_reason_exit_08(world: World) -> None:
    page = ArchivePage(context(world, MANAGER))
    page.hold_reason.value = "诉讼中"

    page.hold_button.click()
    placed = page.holds.value
    page.release_reason.value = "诉讼结束"
    page.release_button.click()

    assert "诉讼中" in placed
    with world.store.read() as conn:
        row = conn.execute(select(archive_holds)).mappings().one()
    assert row["released_at"] is not None and row["release_reason"] == "诉讼结束"


def test_a_hold_without_a_reason_is_refused_exit_08(world: World) -> None:
    page = ArchivePage(context(world, MANAGER))

    page.hold_button.click()

    assert "EXIT-08" in page.messages.widget.value or "理由" in page.messages.widget.value
    with world.store.read() as conn:
        assert conn.execute(select(archive_holds)).first() is None


def test_a_crafted_hold_on_another_citys_subject_writes_nothing_and_is_logged(
    world: World, template: Template
) -> None:
    page = ArchivePage(context(world, MANAGER))
    foreign = f"filing:{template['qingdao']['filing_id']}"
    page.hold_reason.value = "伪造"

    page.subject.set_state({"index": 1})  # only the city's own subject (index 0) is offered
    page._own_subject(page.subject.value, "法律保全")
    with pytest.raises(PermissionDenied):
        page._own_subject(foreign, "法律保全")

    assert page.subject.value != foreign
    assert any("选项以外" in r for r in refusal_reasons(world))
    assert any("不在本人可查阅的档案中" in r for r in refusal_reasons(world))
    with world.store.read() as conn:
        subjects = list(conn.execute(select(archive_holds.c.subject)).scalars())
    assert foreign not in subjects


def test_an_expert_cannot_open_the_archive_page(world: World) -> None:
    page = archive.build(context(world, "expert370100_1"))

    assert "无权查阅电子档案" in texts(page)
