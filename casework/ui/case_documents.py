"""公文与归档 — the documents section of every case page.

A case page lists what belongs to its case: the letters and forms of its procedure (as .docx or
PDF), the texts the city published (征集公告, 公示, 续期评估通知, 续期结果公布) and the reports
archived for it (date, maker, digests). Nothing is generated when the page opens: a document is
built and rendered when its button is clicked (PDF through LibreOffice takes seconds), and
handed to the browser as a ``data:`` link (:func:`casework.ui.downloads.download_link`).

Every click is re-checked on the server, whatever the page offered: the user's role may have
this kind of document, the document's case belongs to the user's city (SUP-01), an institution
asks for its own renewal only, an expert for the renewal of their own group (the Attachment 6
only as its leader, REN-04). A value outside the offered ones is refused and logged as forged
(:class:`~casework.ui.kit.GuardedDropdown`); a refused click produces nothing.

Where the bureau issues many documents at once there is a batch: all receipts of one 公示
(SEL-05), all Attachment 7 of a renewal round (REN-05), as one zip.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w

from casework import clock, documents
from casework.archive import Entry, ObjectStore, entries, entry
from casework.documents.model import Document, DocumentRefused
from casework.errors import CaseworkError, NotFound, PermissionDenied
from casework.registry.actors import CITY_ROLES, EXPERT, INSTITUTION, PROVINCE
from casework.ui.context import AppContext
from casework.ui.downloads import download_link
from casework.ui.gates import refuse
from casework.ui.kit import (
    WIDE,
    GuardedDropdown,
    Messages,
    esc,
    guard,
    guarded,
    log_forged,
    section,
    table_html,
)

HEADING = "公文与归档"
FORMATS = {"docx": ".docx", "pdf": "PDF"}

KIND_ROLES: dict[str, tuple[str, ...]] = {
    **{k: CITY_ROLES for k in documents.KINDS},
    "province-report": (*CITY_ROLES, PROVINCE),
    "att4": (*CITY_ROLES, EXPERT),
    "att5": (*CITY_ROLES, INSTITUTION),
    "att6": (*CITY_ROLES, EXPERT),
    "renewal-notice": (*CITY_ROLES, INSTITUTION),
    "att4-blank": (*CITY_ROLES, INSTITUTION),
    "att5-blank": (*CITY_ROLES, INSTITUTION),
}
"""Who may download each kind of document (SUP-01; an institution its own renewal's notice, the
blank Attachments 4 and 5 sent with it and its Attachment 5, REN-01/REN-02; the group's experts
their Attachment 4 and the leader the Attachment 6, REN-04)."""
ROUND_KINDS = ("renewal-notice", "att4-blank", "att5-blank")
"""Documents of a renewal round (the case id is the round's): the notice and its blank forms."""
ARCHIVE_READERS = (*CITY_ROLES, PROVINCE)
"""Who may open archived reports: the city of the case, and the province (EXIT-08)."""
PROCEDURE_LABELS = {
    "selection": "遴选决定",
    "filing": "公示与备案",
    "scope": "考核范围调整",
    "renewal": "续期评估决定",
    "exit": "退出",
}


@dataclass(frozen=True)
class Offer:
    """One document a page offers: ``kind`` (a :data:`casework.documents.KINDS` key) made for
    ``case_id``; ``via`` the renewal case an institution or expert is entitled through."""

    kind: str
    case_id: int
    about: str = ""
    via: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.case_id}"

    @property
    def label(self) -> str:
        k = documents.KINDS[self.kind]
        attachment = f"（{k.attachment}）" if k.attachment != "—" else ""
        return f"{k.label}{attachment}" + (f" · {self.about}" if self.about else "")


@dataclass(frozen=True)
class Batch:
    """Many documents issued at once: ``receipts`` of notice ``parent_id`` (SEL-05) or
    ``renewals`` (Attachment 7) of round ``parent_id`` (REN-05)."""

    what: str
    parent_id: int
    about: str = ""

    @property
    def label(self) -> str:
        base = {"receipts": "本次公示全部备案回执", "renewals": "本轮全部备案续期回执（附件7）"}
        return base[self.what] + (f" · {self.about}" if self.about else "")


# --- the server's checks ---------------------------------------------------------------------
def _deny(ctx: AppContext, action: str, text: str, rule_id: str = "SUP-01") -> PermissionDenied:
    return refuse(ctx, action, PermissionDenied(text, rule_id=rule_id))


def _renewal_of(ctx: AppContext, renewal_id: int) -> dict[str, Any]:
    from casework.queries.renewals import renewal_facts

    facts = renewal_facts(ctx.store, renewal_id)
    return {**facts.case, "institution_id": facts.institution["id"]}


def _check_institution(ctx: AppContext, offer: Offer, action: str) -> None:
    """An institution: its own renewal's notice and blank forms (the round it is in) and
    Attachment 5."""
    if offer.via is None:
        raise _deny(ctx, action, f"{ctx.actor.label}不能下载{offer.label}")
    case = _renewal_of(ctx, offer.via)
    own = ctx.actor.institution_id is not None and int(case["institution_id"]) == int(
        ctx.actor.institution_id
    )
    same = offer.case_id == (case["round_id"] if offer.kind in ROUND_KINDS else offer.via)
    if not own or not same:
        raise _deny(ctx, action, f"{ctx.actor.label}只能下载本机构续期案件的文书")


def _check_expert(ctx: AppContext, offer: Offer, action: str) -> None:
    """An expert: the sheets of their own group's renewal; Attachment 6 as leader (REN-04)."""
    from casework.queries.renewal_outcome import renewal_outcome_of

    if offer.via is None or offer.via != offer.case_id:
        raise _deny(ctx, action, f"{ctx.actor.label}不能下载{offer.label}")
    roster = renewal_outcome_of(ctx.store, offer.case_id).roster
    mine = roster[roster["username"] == ctx.actor.username]
    if mine.empty:
        raise _deny(ctx, action, f"{ctx.actor.label}不是该续期评估组成员", "REN-04")
    if offer.kind == "att6" and not bool(mine["is_leader"].iloc[0]):
        raise _deny(ctx, action, "附件6由续期评估组组长填写和下载", "REN-04")


def entitled_document(ctx: AppContext, offer: Offer) -> Document:
    """The document ``offer`` names, built from the store, if the acting user may have it.

    Raises:
        PermissionDenied: wrong role, another city's case, another institution's renewal, a
            group the expert is not in (logged as refusals).
        DocumentRefused: the case is not at the step the document records.
    """
    action = f"下载{offer.label}"
    if offer.kind not in documents.KINDS:
        raise _deny(ctx, action, f"未知的文书类型“{offer.kind}”")
    role = ctx.actor.role
    if role not in KIND_ROLES[offer.kind]:
        raise _deny(ctx, action, f"{ctx.actor.label}无权下载{offer.label}")
    if role == INSTITUTION:
        _check_institution(ctx, offer, action)
    elif role == EXPERT:
        _check_expert(ctx, offer, action)
    try:
        made = documents.build(ctx.store, offer.kind, int(offer.case_id))
    except NotFound:
        raise _deny(ctx, action, f"未找到{offer.label}的案件（编号{offer.case_id}）") from None
    if role in CITY_ROLES and made.city_code != ctx.actor.city_code:
        raise _deny(ctx, action, f"{ctx.actor.label}不能下载其他城市的{offer.label}")
    return made


def batch_offers(ctx: AppContext, batch: Batch) -> list[Offer]:
    """The documents of ``batch``, if it is a case of the acting user's city (SUP-01)."""
    action = f"批量生成{batch.label}"
    if ctx.actor.role not in CITY_ROLES:
        raise _deny(ctx, action, f"{ctx.actor.label}无权批量生成公文")
    if batch.what == "receipts":
        from casework.queries.notices import notice_applications, notice_record, receipt

        notice = notice_record(ctx.store, batch.parent_id)
        city = notice["city_code"] if notice else None
        found = []
        if notice is not None:
            for r in notice_applications(ctx.store, batch.parent_id).to_dict("records"):
                got = receipt(ctx.store, int(r["application_id"]))
                if got is not None and got.get("filing_id") is not None:
                    kind = "scope" if got["scope_addition"] else "receipt"
                    found.append(Offer(kind, int(got["filing_id"]), str(r["institution"])))
    elif batch.what == "renewals":
        from casework.queries.renewal_rounds import round_facts

        try:
            facts = round_facts(ctx.store, batch.parent_id)
        except NotFound:
            facts = None
        city = facts.round["city_code"] if facts else None
        cases = facts.cases if facts else ()
        found = [Offer("renewal", int(c.case["id"]), c.institution) for c in cases]
    else:
        raise _deny(ctx, action, f"未知的批量文书“{batch.what}”")
    if city is None or city != ctx.actor.city_code:
        raise _deny(ctx, action, f"{ctx.actor.label}不能批量生成其他城市的公文")
    return found


def archived_entries(ctx: AppContext, cases: Sequence[tuple[str, int]]) -> list[Entry]:
    """The archive entries of ``cases`` ((procedure, case id)) the acting user may read."""
    if ctx.actor.role not in ARCHIVE_READERS:
        return []
    wanted = {(p, int(c)) for p, c in cases}
    return [
        e
        for e in entries(ctx.store)
        if (e.procedure, e.case_id) in wanted
        and (ctx.actor.role == PROVINCE or e.city_code == ctx.actor.city_code)
    ]


def archived_file(
    ctx: AppContext, seq: int, role: str, cases: Sequence[tuple[str, int]] | None = None
) -> tuple[str, bytes]:
    """The name and bytes of file ``role`` (html, pdf…) of archive entry ``seq``, re-checked:
    a reader's role, the entry's city and (on a case page) the entry's case."""
    action = f"打开第{seq}号归档记录"
    if ctx.actor.role not in ARCHIVE_READERS:
        raise _deny(ctx, action, f"{ctx.actor.label}无权查阅归档报告", "EXIT-08")
    found = entry(ctx.store, int(seq))
    if ctx.actor.role != PROVINCE and found.city_code != ctx.actor.city_code:
        raise _deny(ctx, action, f"{ctx.actor.label}不能查阅其他城市的归档报告")
    if cases is not None and (found.procedure, found.case_id) not in {
        (p, int(c)) for p, c in cases
    }:
        raise _deny(ctx, action, f"第{seq}号归档记录不属于本案件")
    files = [f for f in found.files if f.role == role]
    if not files:
        raise CaseworkError(f"第{seq}号归档记录没有{role.upper()}文件", rule_id="EXIT-08")
    data = ObjectStore(db_url=ctx.store.url).read(files[0].sha256)
    return files[0].name, data


# --- rendering --------------------------------------------------------------------------------
def render_bytes(made: Sequence[Document], fmt: str) -> list[tuple[str, bytes]]:
    """Render documents (PDFs in one LibreOffice run) and return (file name, bytes) each."""
    with tempfile.TemporaryDirectory(prefix="casework-dl-") as folder:
        paths = documents.render(list(made), fmt, Path(folder))
        return [(p.name, p.read_bytes()) for p in paths]


def zip_bytes(files: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
    return buffer.getvalue()


def local_day(at: str) -> str:
    """An archive timestamp (UTC, ISO) as the date in Asia/Shanghai."""
    try:
        return datetime.fromisoformat(at).astimezone(clock.BUREAU_TZ).date().isoformat()
    except ValueError:
        return at[:10]


def entries_frame(ctx: AppContext, listed: Sequence[Entry]) -> Any:
    """The archive entries as the pages list them: number, procedure, case, date (Asia/Shanghai),
    maker's name (never the user name) and each file's digests."""
    import pandas as pd

    from casework.queries.lookup import display_names

    with ctx.store.read() as conn:
        names = display_names(conn, [e.actor for e in listed])
    rows = [
        {
            "seq": e.seq,
            "procedure": PROCEDURE_LABELS.get(e.procedure, e.procedure),
            "case_id": e.case_id,
            "day": local_day(e.at),
            "maker": names.get(e.actor, e.actor),
            "digests": "；".join(
                f"{f.role.upper()} SHA-256 {f.sha256[:16]}… SM3 {f.sm3[:16]}…" for f in e.files
            ),
        }
        for e in listed
    ]
    columns = ["seq", "procedure", "case_id", "day", "maker", "digests"]
    return pd.DataFrame(rows, columns=columns)


ENTRY_HEADERS = {
    "seq": "归档序号",
    "procedure": "办理事项",
    "case_id": "案件编号",
    "day": "归档日期",
    "maker": "归档人",
    "digests": "文件摘要",
}


# --- the section ------------------------------------------------------------------------------
class DocumentsSection:
    """The 公文与归档 section of one case page."""

    def __init__(
        self,
        ctx: AppContext,
        offers: Sequence[Offer] = (),
        batches: Sequence[Batch] = (),
        archived: Sequence[tuple[str, int]] = (),
    ) -> None:
        self.ctx = ctx
        self.offers = {o.key: o for o in offers}
        self.batches = list(batches)
        self.archived = list(archived)
        self.messages = Messages()
        self.link = w.HTML()
        parts: list[w.Widget] = []
        self.choice = guard(
            GuardedDropdown(
                options=[(o.label, o.key) for o in offers], description="公文", layout=WIDE
            ),
            ctx,
            "公文",
        )
        self.buttons: dict[str, w.Button] = {}
        for fmt, text in FORMATS.items():
            b = w.Button(description=f"生成 {text}", disabled=not offers)
            b.add_class(f"cw-make-{fmt}")
            b.on_click(guarded(ctx, self.messages, f"生成{text}", lambda _b, f=fmt: self.make(f)))
            self.buttons[fmt] = b
        if offers:
            parts += [self.choice, w.HBox(list(self.buttons.values()))]
        self.batch_buttons: list[w.Button] = []
        for batch in self.batches:
            for fmt, text in FORMATS.items():
                b = w.Button(description=f"{batch.label}（{text}，zip）", layout=WIDE)
                b.add_class(f"cw-batch-{fmt}")
                b.on_click(
                    guarded(
                        ctx,
                        self.messages,
                        batch.label,
                        lambda _b, bt=batch, f=fmt: self.make_batch(bt, f),
                    )
                )
                self.batch_buttons.append(b)
        parts += self.batch_buttons
        self.listing = w.HTML()
        self.entry_choice = guard(
            GuardedDropdown(options=[], description="归档报告", layout=WIDE), ctx, "归档报告"
        )
        self.entry_buttons = {}
        for role in ("html", "pdf"):
            b = w.Button(description=f"下载归档 {role.upper()}")
            b.add_class(f"cw-archived-{role}")
            b.on_click(
                guarded(ctx, self.messages, "下载归档报告", lambda _b, r=role: self.open_entry(r))
            )
            self.entry_buttons[role] = b
        if ctx.actor.role in ARCHIVE_READERS and self.archived:
            parts += [self.listing, self.entry_choice, w.HBox(list(self.entry_buttons.values()))]
        if not parts:
            parts.append(w.HTML('<div class="cw-info">本案件当前没有可下载的公文</div>'))
        self.widget = section(HEADING, *parts, self.messages.widget, self.link)
        self.widget.add_class("cw-documents")
        self.refresh()

    def refresh(self) -> None:
        """List the archived reports again (a report archived after submission appears)."""
        listed = archived_entries(self.ctx, self.archived)
        frame = entries_frame(self.ctx, listed)
        self.listing.value = (
            table_html(frame, ENTRY_HEADERS) if len(frame) else "<p>本案件尚无归档报告</p>"
        )
        current = self.entry_choice.value
        self.entry_choice.options = [
            (f"第{r['seq']}号 {r['procedure']}（{r['day']}）", int(r["seq"]))
            for r in frame.to_dict("records")
        ]
        seqs = [e.seq for e in listed]
        self.entry_choice.value = current if current in seqs else (seqs[0] if seqs else None)
        for b in self.entry_buttons.values():
            b.disabled = not listed

    def _show(self, name: str, data: bytes, note: str = "") -> None:
        self.link.value = download_link(name, data) + (f" {esc(note)}" if note else "")

    def make(self, fmt: str) -> None:
        """Build and render the chosen document, re-checked on the server."""
        self.link.value = ""
        key = self.choice.value
        offer = self.offers.get(key) if key is not None else None
        if offer is None:
            log_forged(self.ctx, "生成公文", f"选择了未提供的公文“{key}”")
            raise CaseworkError("请先选择公文")
        made = entitled_document(self.ctx, offer)
        self.messages.info(f"正在生成{offer.label}（{FORMATS[fmt]}）……")
        name, data = render_bytes([made], fmt)[0]
        self._show(name, data)
        self.messages.ok(f"已生成{name}，请点击链接下载")

    def make_batch(self, batch: Batch, fmt: str) -> None:
        """Every document of the batch that can be issued now, as one zip."""
        self.link.value = ""
        offers = batch_offers(self.ctx, batch)
        made, skipped = [], []
        for offer in offers:
            try:
                made.append(entitled_document(self.ctx, offer))
            except DocumentRefused:
                skipped.append(offer.about or str(offer.case_id))
        if not made:
            raise CaseworkError(f"{batch.label}：当前没有可出具的回执")
        self.messages.info(f"正在生成{len(made)}份（{FORMATS[fmt]}）……")
        files = render_bytes(made, fmt)
        name = f"{made[0].name.split('-')[0]}-{batch.label.split(' · ')[0]}-{batch.parent_id}.zip"
        note = f"（未出具：{'、'.join(skipped)}）" if skipped else ""
        self._show(name, zip_bytes(files), note)
        self.messages.ok(f"已生成{len(files)}份，打包为{name}")

    def open_entry(self, role: str) -> None:
        """The chosen archived report's HTML or PDF, re-checked on the server."""
        self.link.value = ""
        seq = self.entry_choice.value
        if seq is None:
            raise CaseworkError("请先选择归档报告")
        name, data = archived_file(self.ctx, int(seq), role, self.archived)
        self._show(name, data)


def documents_section(
    ctx: AppContext,
    offers: Sequence[Offer] = (),
    batches: Sequence[Batch] = (),
    archived: Sequence[tuple[str, int]] = (),
) -> w.Widget:
    """The section's widget (see :class:`DocumentsSection`)."""
    return DocumentsSection(ctx, offers, batches, archived).widget


def renewal_documents(ctx: AppContext, renewal_id: int) -> w.Widget:
    """The documents of one renewal case, as the acting user's role may have them:

    - the city: Attachments 4, 5, 6 and 7/7-1, the round's notice (with its blank Attachments
      4 and 5) and results, all Attachment 7
      of the round (REN-01…REN-07) and the archived reports;
    - the institution: the renewal notice with the blank Attachments 4 and 5 it sends out, and
      its own Attachment 5 as submitted (REN-01, REN-02; issue #13);
    - an expert of the group: the Attachment 4 sheets; the leader also Attachment 6 (REN-04).
    """
    case = _renewal_of(ctx, renewal_id)
    round_id = int(case["round_id"])
    role = ctx.actor.role
    if role == INSTITUTION:
        offers = [
            *(Offer(k, round_id, via=renewal_id) for k in ROUND_KINDS),
            Offer("att5", renewal_id, via=renewal_id),
        ]
        return documents_section(ctx, offers)
    if role == EXPERT:
        from casework.queries.renewal_outcome import renewal_outcome_of

        roster = renewal_outcome_of(ctx.store, renewal_id).roster
        leader = roster[roster["is_leader"]]["username"].tolist()
        offers = [Offer("att4", renewal_id, via=renewal_id)]
        if ctx.actor.username in leader:
            offers.append(Offer("att6", renewal_id, via=renewal_id))
        return documents_section(ctx, offers)
    offers = [
        Offer("att4", renewal_id),
        Offer("att5", renewal_id),
        Offer("att6", renewal_id),
        Offer("renewal", renewal_id),
        *(Offer(k, round_id) for k in ROUND_KINDS),
        Offer("renewal-results", round_id),
    ]
    batches = [Batch("renewals", round_id)]
    return documents_section(ctx, offers, batches, archived=[("renewal", renewal_id)])
