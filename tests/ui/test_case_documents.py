"""公文与归档 on the case pages, in plain pytest: what is offered, what is made on click, and
what a crafted request gets (nothing)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casework.errors import PermissionDenied
from casework.ui import notice_filing
from casework.ui.case_documents import (
    Batch,
    DocumentsSection,
    Offer,
    batch_offers,
    entitled_document,
)
from casework.ui.kit import FORGED
from tests.registry.conftest import World

from .worlds import (
    JINAN_NAME,
    OFFICER,
    OTHER_CITY,
    QINGDAO_NAME,
    Template,
    clone,
    context,
    refusal_reasons,
    texts,
    two_filings,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return two_filings(tmp_path_factory.mktemp("case-documents"))


@pytest.fixture
def world(template: Template, tmp_path: Path) -> Iterator[World]:
    world = clone(template, tmp_path)
    yield world
    world.store.dispose()


def link_bytes(section: DocumentsSection) -> tuple[str, bytes]:
    """The file name and bytes of the data: link the section shows."""
    import base64
    import re

    found = re.search(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', section.link.value)
    assert found, section.link.value
    return found[1], base64.b64decode(found[2])


def labels(widget: Any) -> list[str]:
    """The option labels and button texts under ``widget``."""
    found: list[str] = []
    stack = [widget]
    while stack:
        node = stack.pop()
        found += [str(o) for o in getattr(node, "_options_labels", ())]
        found.append(str(getattr(node, "description", "")))
        stack.extend(getattr(node, "children", ()))
    return found


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


def test_the_notice_filing_page_offers_the_receipt_and_the_notice_text_sel_05(
    world: World, template: Template
) -> None:
    ctx = context(world, OFFICER)
    jinan = template["jinan"]

    page = notice_filing.build(ctx, jinan["application_id"])

    shown = texts(page) + "".join(labels(page))
    assert "公文与归档" in shown
    assert "备案回执（附件2、2-1）" in shown and "拟备案公示" in shown
    assert "本次公示全部备案回执" in shown


def test_a_receipt_is_made_on_click_as_docx_naming_its_institution_sel_05(
    world: World, template: Template
) -> None:
    ctx = context(world, OFFICER)
    section = DocumentsSection(ctx, [Offer("receipt", template["jinan"]["filing_id"])])
    assert section.link.value == ""  # nothing is generated when the page opens

    section.buttons["docx"].click()

    name, data = link_bytes(section)
    assert name.endswith(".docx") and "济南" in name
    assert data[:2] == b"PK" and JINAN_NAME in docx_text(data)
    assert QINGDAO_NAME not in docx_text(data)


def test_another_citys_document_is_refused_and_logged_sup_01(
    world: World, template: Template
) -> None:
    ctx = context(world, OTHER_CITY)  # Qingdao's officer asks for Jinan's receipt

    with pytest.raises(PermissionDenied, match="其他城市"):
        entitled_document(ctx, Offer("receipt", template["jinan"]["filing_id"]))

    assert any("其他城市" in r for r in refusal_reasons(world))


def test_a_crafted_choice_of_another_cases_document_produces_nothing(
    world: World, template: Template
) -> None:
    ctx = context(world, OFFICER)
    section = DocumentsSection(ctx, [Offer("receipt", template["jinan"]["filing_id"])])
    foreign = Offer("receipt", template["qingdao"]["filing_id"]).key

    section.choice.set_state({"value": foreign})  # a value the page never offered
    section.choice.set_state({"index": 7})

    assert section.choice.value == Offer("receipt", template["jinan"]["filing_id"]).key
    assert any(FORGED in r or "选项以外" in r for r in refusal_reasons(world))
    assert section.link.value == ""


def test_a_crafted_offer_for_another_city_clicked_on_the_server_produces_no_link(
    world: World, template: Template
) -> None:
    ctx = context(world, OFFICER)
    foreign = Offer("receipt", template["qingdao"]["filing_id"])
    section = DocumentsSection(ctx, [foreign])  # as if the page had been tricked into it

    section.buttons["docx"].click()

    assert section.link.value == ""
    assert "其他城市" in section.messages.widget.value


def test_an_expert_gets_no_filing_receipt_sup_01(world: World, template: Template) -> None:
    ctx = context(world, "expert370100_1")

    with pytest.raises(PermissionDenied, match="无权下载"):
        entitled_document(ctx, Offer("receipt", template["jinan"]["filing_id"]))


def test_all_receipts_of_one_notice_come_as_one_zip_sel_05(
    world: World, template: Template
) -> None:
    ctx = context(world, OFFICER)
    notice_id = template["jinan"]["notice_id"]
    section = DocumentsSection(ctx, batches=[Batch("receipts", notice_id)])

    section.batch_buttons[0].click()  # .docx

    name, data = link_bytes(section)
    assert name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert names and all(n.endswith(".docx") for n in names)
        assert JINAN_NAME in docx_text(z.read(names[0]))


def test_a_batch_of_another_citys_notice_is_refused_sup_01(
    world: World, template: Template
) -> None:
    ctx = context(world, OTHER_CITY)

    with pytest.raises(PermissionDenied):
        batch_offers(ctx, Batch("receipts", template["jinan"]["notice_id"]))


def test_the_archived_reports_of_a_case_are_listed_with_date_maker_and_digest(
    world: World, template: Template, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from casework.archive import ArchivedFile, ObjectStore, record_entry

    monkeypatch.setenv("CASEWORK_ARCHIVE", str(tmp_path / "archive"))
    ctx = context(world, OFFICER)
    filing_id = template["jinan"]["filing_id"]
    digests = ObjectStore(db_url=world.store.url).put(b"<html><p>report</p></html>")
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
        files=[ArchivedFile("html", "report.html", digests.sha256, digests.sm3, digests.size)],
        figures={},
    )
    section = DocumentsSection(ctx, archived=[("filing", filing_id)])

    section.entry_buttons["html"].click()

    assert ctx.actor.display_name in section.listing.value
    assert digests.sha256[:16] in section.listing.value
    assert ctx.actor.username not in section.listing.value or (
        ctx.actor.username == ctx.actor.display_name
    )
    assert section.messages.widget.value == ""
    name, data = link_bytes(section)
    assert (name, data) == ("report.html", b"<html><p>report</p></html>")


def test_an_entry_of_another_case_is_refused_on_a_case_page(
    world: World, template: Template
) -> None:
    from casework.ui.case_documents import archived_file

    ctx = context(world, OFFICER)

    with pytest.raises(Exception):  # noqa: B017 - NotFound or PermissionDenied: nothing shown
        archived_file(ctx, 1, "html", [("filing", template["jinan"]["filing_id"])])
