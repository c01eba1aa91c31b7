"""The journey through the apps alone, on a store made by ``casework demo`` (a training store):
real ``casework serve`` processes, one per user (started once for the module), and headless
Chromium with one browser context per user. The test calls no registry command; it reads the
store back to compare with what the page showed. It never sleeps: every step waits for the
page's own message.

Stages share one store, in order; together they carry the story's institution from its fresh
application to a voluntary exit (issue #12):
1. every page shows "演示环境 · 模拟日期 …" (the demo's today);
2. the served officer accepts (受理) the story's fresh application on the 申请 page;
3. the served city manager moves the training clock forward; the store holds the new date
   and the officer's next page acts on it;
4. the officer forms its selection panel of the three served experts on 评估组 (SEL-03);
5. each expert declares, judges every condition of Attachment 1 and submits (SEL-03, SEL-04);
6. the officer decides 拟备案 on 研究确定 (SEL-04);
7. the officer publishes the 公示 on 公示与备案 (SEL-05);
8. the manager moves the clock past the notice's end; the officer closes the notice;
9. the officer reports it on 报送省厅 (SEL-08);
10. the officer files it and downloads the receipt from 公文与归档 (SEL-05, ATT2-TERM);
11. the officer enters a scope addition for it on the 申请 page (SEL-06);
12. the officer opens a renewal round over its term end on 续期轮次 (REN-01);
13. the manager adds the institution's head on 人员与权限; the head self-evaluates (REN-02);
14. the officer forms the renewal group; the experts score; the leader sends Attachment 6
    (REN-04, REN-07);
15. the officer decides the renewal on 研究确定 (REN-05);
16. the officer records the voluntary withdrawal to its end on 退出 (EXIT-02).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casework.demo.served import SERVED_CITY, STORY_INSTITUTION
from casework.demo.story import EXPERTS, MANAGER, OFFICER
from casework.domain import lifecycle, rubrics
from casework.queries.application_intake import application_record, city_applications
from casework.queries.decisions import renewal_record
from casework.queries.experts import pool_of
from casework.queries.notices import application_record as notice_record
from casework.queries.notices import receipt
from casework.queries.province import reported_applications
from casework.queries.renewals import renewal_case
from casework.queries.sheets import my_sheet, panel_members_of
from casework.queries.training_clock import simulated_today
from casework.store.engine import Store, open_store
from casework.store.tables import exit_cases, filings, renewal_cases, users
from tests.demo_store import TODAY, shared_demo

from .conftest import VoilaServer, start_voila, stop

pytestmark = pytest.mark.browser
BANNER = "演示环境 · 模拟日期 {day}"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
HEAD = "head370100_story"
LEADER = EXPERTS[0]


class Users:
    """One ``casework serve`` and one browser context per user, each made once."""

    def __init__(self, url: str, logs: Path, browser: Any) -> None:
        self.url, self.logs, self.browser = url, logs, browser
        self.servers: dict[str, VoilaServer] = {}
        self.contexts: dict[str, Any] = {}

    def start(self, *usernames: str) -> None:
        todo = [u for u in usernames if u not in self.servers]
        with ThreadPoolExecutor(len(todo) or 1) as pool:
            started = pool.map(lambda u: start_voila(self.url, u, self.logs / f"{u}.log"), todo)
            self.servers.update(zip(todo, started, strict=True))

    def open(self, username: str, notebook: str) -> Any:
        """A fresh page of ``notebook`` for ``username`` (their own context)."""
        self.start(username)
        if username not in self.contexts:
            self.contexts[username] = self.browser.new_context(
                viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True
            )
        page = self.contexts[username].new_page()
        page.set_default_timeout(90_000)
        page.goto(self.servers[username].url(notebook), wait_until="domcontentloaded")
        return page

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()
        for server in self.servers.values():
            stop(server)


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    url = shared_demo(tmp_path_factory).copy(tmp_path_factory.mktemp("journey"))
    store = open_store(url)
    yield url, store
    store.dispose()


@pytest.fixture(scope="module")
def people(
    journey: tuple[str, Store], browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Users]:
    url, _ = journey
    made = Users(url, tmp_path_factory.mktemp("journey-voila"), browser)
    made.start(OFFICER, MANAGER, *EXPERTS)
    yield made
    made.close()


@pytest.fixture(scope="module")
def seen() -> dict[str, Any]:
    """What earlier stages showed, for the later ones."""
    return {}


# --- helpers --------------------------------------------------------------------------------
def choose(page: Any, text: str, *, within: Any = None) -> str:
    """Pick, in the (first) select offering an option containing ``text``, that option."""
    root = within if within is not None else page
    picker = root.locator("select", has=page.locator("option", has_text=text)).first
    label = str(picker.locator("option", has_text=text).first.inner_text())
    picker.select_option(label=label)
    return label


def message(page: Any, pattern: str) -> re.Match[str]:
    """Wait for the page's message matching ``pattern``; its match."""
    found = page.get_by_text(re.compile(pattern)).first
    found.wait_for()
    match = re.search(pattern, str(found.inner_text()))
    assert match is not None, pattern
    return match


def story(store: Store, kind: str = "") -> dict[str, Any]:
    """The story institution's latest application (of ``kind`` when given)."""
    frame = city_applications(store, SERVED_CITY)
    mine = frame[frame.institution == STORY_INSTITUTION]
    if kind:
        mine = mine[mine.kind == kind]
    return {str(k): v for k, v in mine.sort_values("application_id").iloc[-1].items()}


def story_status(store: Store) -> str:
    frame = city_applications(store, "370100")
    return str(frame[frame.institution == STORY_INSTITUTION].status.iloc[0])


def move_clock(people: Users, store: Store, day: date) -> None:
    page = people.open(MANAGER, "index")
    page.locator(".cw-training").wait_for()
    page.locator("input[type=date]").first.fill(day.isoformat())
    page.get_by_role("button", name="调整模拟日期").click()
    page.get_by_text(f"模拟日期已调整为{day.isoformat()}").wait_for()
    assert simulated_today(store) == day
    page.close()


def sign_declaration(page: Any) -> None:
    page.get_by_text("本人已阅读并作出上述承诺").click()
    page.get_by_role("button", name="签署声明并进入评估").click()


def fill_attachment4(page: Any) -> float:
    """Every Attachment 4 item 符合 and every veto item 否; the running total shown."""
    items = page.locator("[class*='cw-item-R']")
    items.first.wait_for()
    for i in range(items.count()):
        items.nth(i).get_by_role("button", name="符合", exact=True).click()
    vetoes = page.locator("[class*='cw-veto-V']")
    for i in range(vetoes.count()):
        vetoes.nth(i).get_by_role("button", name="否", exact=True).click()
    full = float(rubrics.load("renewal").items.points.sum())  # every item 符合 (REN-07)
    page.get_by_text(f"合计：{full:g} 分").first.wait_for()
    return full


def form_panel(page: Any, names: list[str]) -> None:
    """On 评估组: the members named (the first the leader), then 组建评估组."""
    option = page.locator("option", has_text=names[0])
    members = page.locator("select[multiple]", has=option).first
    labels = [str(members.locator("option", has_text=n).first.inner_text()) for n in names]
    members.select_option(label=labels)
    leader = page.locator("select:not([multiple])", has=page.locator("option", has_text=labels[1]))
    leader.first.select_option(label=labels[0])
    page.get_by_role("button", name="组建评估组").click()


def open_picked(page: Any, text: str) -> None:
    """A case picker page: choose the case naming ``text`` and open it."""
    choose(page, text)
    page.get_by_role("button", name="打开", exact=True).first.click()


# --- the journey ----------------------------------------------------------------------------
def test_1_every_page_of_the_training_store_shows_the_simulated_date(people: Users) -> None:
    page = people.open(OFFICER, "index")

    page.get_by_text(BANNER.format(day=TODAY.isoformat())).wait_for()
    page.goto(people.servers[OFFICER].url("application"), wait_until="domcontentloaded")
    page.get_by_text(BANNER.format(day=TODAY.isoformat())).wait_for()
    page.close()


def test_2_the_officer_accepts_the_story_s_fresh_application(
    people: Users, journey: tuple[str, Store]
) -> None:
    _, store = journey
    assert story_status(store) == "已提交"
    page = people.open(OFFICER, "application")
    picker = page.locator("select", has=page.locator("option", has_text=STORY_INSTITUTION))

    label = picker.locator("option", has_text=STORY_INSTITUTION).first.inner_text()
    picker.first.select_option(label=label)
    page.get_by_role("button", name="打开", exact=True).first.click()
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_role("button", name="确认办理").click()
    page.get_by_text("已受理").first.wait_for()

    assert story_status(store) == "已受理"
    page.close()


def test_3_the_manager_moves_the_training_clock_and_the_next_page_acts_on_it(
    people: Users, journey: tuple[str, Store]
) -> None:
    _, store = journey
    later = TODAY + timedelta(days=9)
    page = people.open(MANAGER, "index")

    page.locator(".cw-training").wait_for()
    page.locator("input[type=date]").first.fill(later.isoformat())
    page.get_by_role("button", name="调整模拟日期").click()
    page.get_by_text(f"模拟日期已调整为{later.isoformat()}").wait_for()

    assert simulated_today(store) == later
    officer = people.open(OFFICER, "index")
    officer.get_by_text(BANNER.format(day=later.isoformat())).wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "training_clock.png"))
    officer.close()
    page.close()


def test_4_the_officer_forms_the_selection_panel_of_three_pool_experts(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """SEL-03: 3–5 pool experts with a leader, formed on 评估组."""
    _, store = journey
    pool = pool_of(store, SERVED_CITY).set_index("username")
    page = people.open(OFFICER, "panels")

    choose(page, f"遴选 · {STORY_INSTITUTION}")
    form_panel(page, [str(pool.loc[u, "display_name"]) for u in EXPERTS])
    panel_id = int(message(page, rf"已为{STORY_INSTITUTION}组建.*评估组（编号(\d+)）").group(1))

    roster = panel_members_of(store, panel_id)
    assert sorted(m["username"] for m in roster) == sorted(EXPERTS)
    assert [m["username"] for m in roster if m["is_leader"]] == [LEADER]
    assert story(store)["status"] == lifecycle.APPLICATION_EVALUATING
    seen["panel"] = panel_id
    page.close()


def test_5_each_expert_checks_attachment_1_and_submits(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """SEL-03, SEL-04: every condition judged, the checklist submitted and locked."""
    _, store = journey
    for expert in EXPERTS:
        page = people.open(expert, "selection_panel")
        open_picked(page, STORY_INSTITUTION)
        sign_declaration(page)
        rows = page.locator("[class*='cw-cond-']")
        rows.first.wait_for()
        count = rows.count()
        for i in range(count):
            rows.nth(i).get_by_role("button", name="符合", exact=True).click()
        page.get_by_text(f"已核验 {count}/{count} 项条件").wait_for()
        page.get_by_role("button", name="提交核验表").click()
        page.get_by_text("核验表已提交").first.wait_for()

        sheet = my_sheet(store, seen["panel"], expert)
        assert sheet is not None and sheet["status"] == "已提交"
        assert len(sheet["rows"]) == count and all(r["met"] for r in sheet["rows"])
        page.close()


def test_6_the_officer_decides_the_application_is_to_be_filed(
    people: Users, journey: tuple[str, Store]
) -> None:
    """SEL-04: 拟备案 on the panel's opinion."""
    _, store = journey
    page = people.open(OFFICER, "decisions")

    open_picked(page, STORY_INSTITUTION)
    page.get_by_role("button", name=lifecycle.APPLICATION_PROPOSED, exact=True).click()
    message(page, "已研究确定：拟备案")

    assert story(store)["status"] == lifecycle.APPLICATION_PROPOSED
    page.close()


def test_7_the_officer_publishes_the_notice(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """SEL-05: at least 5 working days; the period shown is the one stored."""
    _, store = journey
    page = people.open(OFFICER, "notice_filing")

    choose(page, STORY_INSTITUTION)
    page.get_by_role("button", name="发布公示").click()
    notice_id = int(message(page, r"已发布公示（编号(\d+)）").group(1))
    period = message(page, r"公示期：(\d{4}-\d\d-\d\d) 至 (\d{4}-\d\d-\d\d)（不少于")

    record = notice_record(store, int(story(store)["application_id"]))
    assert record is not None and record["notice_id"] == notice_id
    seen["notice"], seen["notice_end"] = notice_id, date.fromisoformat(period.group(2))
    assert seen["notice_end"] >= date.fromisoformat(period.group(1)) + timedelta(days=6)
    page.close()


def test_8_past_the_notice_s_end_the_officer_closes_it(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """SEL-05: the training clock reaches the day after the notice; no objection, cleared."""
    _, store = journey
    move_clock(people, store, seen["notice_end"] + timedelta(days=1))
    page = people.open(OFFICER, "notice_filing")

    choose(page, f"{seen['notice']} ")
    page.get_by_role("button", name="打开公示").click()
    page.get_by_role("button", name="结束公示").click()
    message(page, "公示已结束")

    assert story(store)["status"] == "公示无异议"
    page.close()


def test_9_the_officer_reports_it_to_the_province(
    people: Users, journey: tuple[str, Store]
) -> None:
    """SEL-08: reported before the receipt."""
    _, store = journey
    page = people.open(OFFICER, "province_reports")

    choose(page, STORY_INSTITUTION)
    page.get_by_role("button", name="报送省厅", exact=True).click()
    message(page, r"已报送省厅（报送记录\d+）")

    assert int(story(store)["application_id"]) in reported_applications(store, SERVED_CITY)
    page.close()
    page = people.open(OFFICER, "notice_filing")
    page.get_by_text("已报省厅").first.wait_for()
    page.close()


def test_10_the_officer_files_it_and_downloads_the_receipt(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """SEL-05, ATT2-TERM: the code shown is the filing's; the receipt names both."""
    _, store = journey
    page = people.open(OFFICER, "notice_filing")

    choose(page, STORY_INSTITUTION)
    page.get_by_role("button", name="出具备案回执").click()
    message(page, "已备案并出具回执")
    code = str(page.locator("th:text-is('机构代码') + td").first.inner_text()).strip()
    box = page.locator(".cw-documents")
    choose(page, "备案回执", within=box)
    box.locator(".cw-make-docx").click()
    box.locator(".cw-ok", has_text="已生成").wait_for()
    with page.expect_download() as info:
        box.locator("a.cw-download").click()
    data = Path(info.value.path()).read_bytes()

    app_id = int(story(store)["application_id"])
    stored = receipt(store, app_id)
    assert stored is not None and stored["code"] == code
    assert story(store)["status"] == "已备案"
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        text = docx.read("word/document.xml").decode("utf-8")
    assert STORY_INSTITUTION in text and code in text
    seen["filing"] = int(stored["filing_id"])
    page.close()


def test_11_the_officer_enters_a_scope_addition_for_the_filed_institution(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """SEL-06: a filed institution's new application is a scope addition."""
    _, store = journey
    page = people.open(OFFICER, "application")

    choose(page, f"{STORY_INSTITUTION}（52")  # the unit picker: name（USCC）
    page.get_by_role("button", name="代为录入").click()
    projects = page.locator("select[multiple]").first
    projects.locator("option").first.wait_for()
    project = str(projects.locator("option").first.inner_text())
    projects.select_option(label=[project])
    page.get_by_text("本单位作出上述诚信承诺").click()
    page.get_by_role("button", name="提交申请").click()
    app_id = int(message(page, r"已提交申请（编号(\d+)）").group(1))

    record = application_record(store, app_id)
    assert record is not None and record["kind"] == "范围新增"
    assert record["project_codes"] == [project.split()[0]]
    assert record["institution_id"] == story(store)["institution_id"]
    page.close()


def test_12_the_officer_opens_a_renewal_round_over_its_term_end(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """REN-01: the round takes in the filing; the deadline in working days (REN-02)."""
    _, store = journey
    with store.read() as conn:
        term_end = conn.execute(
            select(filings.c.term_end).where(filings.c.id == seen["filing"])
        ).scalar_one()
    page = people.open(OFFICER, "renewal_round")

    dates = page.locator("input[type=date]")
    dates.nth(0).fill(term_end.isoformat())
    dates.nth(1).fill(term_end.isoformat())
    page.get_by_text("纳入本轮").first.wait_for()
    page.get_by_text(STORY_INSTITUTION).first.wait_for()
    page.get_by_role("button", name="发布续期评估通知").click()
    round_id = int(message(page, r"已发布续期评估通知（轮次编号(\d+)）").group(1))

    with store.read() as conn:
        case = conn.execute(
            select(renewal_cases.c.id, renewal_cases.c.status).where(
                renewal_cases.c.round_id == round_id,
                renewal_cases.c.filing_id == seen["filing"],
            )
        ).one()
    assert case.status == lifecycle.RENEWAL_AWAITING_SELF
    seen["renewal"] = int(case.id)
    page.close()


def test_13_the_manager_adds_the_head_who_self_evaluates(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """SUP-01 (a user bound to the institution), REN-02 (Attachments 4 and 5 submitted)."""
    _, store = journey
    page = people.open(MANAGER, "users")
    page.get_by_label("登录名").fill(HEAD)
    page.get_by_label("姓名", exact=True).fill("鲁绣中心负责人")
    page.get_by_label("姓名", exact=True).press("Tab")
    choose(page, "机构")
    choose(page, STORY_INSTITUTION)
    page.get_by_role("button", name="登记用户").click()
    message(page, f"已登记用户“{HEAD}”")
    with store.read() as conn:
        bound = conn.execute(
            select(users.c.role, users.c.institution_id).where(users.c.username == HEAD)
        ).one()
    assert (bound.role, bound.institution_id) == ("机构", story(store)["institution_id"])
    page.close()

    page = people.open(HEAD, "self_evaluation")
    open_picked(page, lifecycle.RENEWAL_AWAITING_SELF)  # the round (待自评)
    total = fill_attachment4(page)
    page.get_by_role("tab", name=re.compile("附件5")).click()
    for key, value in (("qualification_changed", "否"), ("credit_good", "是")):
        page.locator(f".cw-a5-{key}").get_by_role("button", name=value, exact=True).click()
    page.locator(".cw-a5-site button").first.click()
    for key in ("summary", "plan", "issues"):
        page.locator(f".cw-a5-{key} textarea").fill("按备案项目开展考核，规范运行。")
        page.locator(f".cw-a5-{key} textarea").press("Tab")
    for field, value in (("assessed", "20"), ("certified", "18")):
        inputs = page.locator(f"[class*='cw-a5-{field}-'] input")
        for i in range(inputs.count()):
            inputs.nth(i).fill(value)
            inputs.nth(i).press("Tab")
    page.locator(".cw-a5-integrity input").check()
    page.get_by_role("button", name="提交自评及续期申请").click()
    shown = float(message(page, r"已提交：自评得分 ([\d.]+) 分").group(1))

    case = renewal_case(store, seen["renewal"])
    assert case is not None and case["status"] == lifecycle.RENEWAL_SUBMITTED
    assert shown == total
    page.close()


def test_14_the_group_is_formed_and_scores_and_the_leader_sends_attachment_6(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """REN-04: the group from the pool; REN-07: each sheet's total as shown."""
    _, store = journey
    pool = pool_of(store, SERVED_CITY).set_index("username")
    page = people.open(OFFICER, "panels")
    choose(page, f"续期 · {STORY_INSTITUTION}")
    form_panel(page, [str(pool.loc[u, "display_name"]) for u in EXPERTS])
    group = int(message(page, rf"已为{STORY_INSTITUTION}组建.*评估组（编号(\d+)）").group(1))
    page.close()

    for expert in (*EXPERTS[1:], LEADER):
        page = people.open(expert, "renewal_scoring")
        open_picked(page, STORY_INSTITUTION)
        sign_declaration(page)
        total = fill_attachment4(page)
        page.get_by_role("button", name="提交评分表").click()
        message(page, "评分表已提交")
        sheet = my_sheet(store, group, expert)
        assert sheet is not None and sheet["status"] == "已提交" and sheet["total"] == total
        if expert == LEADER:
            page.get_by_role("button", name="刷新").first.click()
            page.get_by_text("综合得分").first.wait_for()
            page.locator("textarea").last.fill("考核机构运行规范，建议续期。")
            page.locator("textarea").last.press("Tab")
            page.get_by_role("button", name="提交评估组意见（附件6）").click()
            message(page, "评估组意见已提交")
        page.close()
    case = renewal_case(store, seen["renewal"])
    assert case is not None and case["status"] == lifecycle.RENEWAL_EVALUATING


def test_15_the_officer_decides_the_renewal(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """REN-05: the grade shown is the one stored."""
    _, store = journey
    page = people.open(OFFICER, "decisions")

    choose(page, f"{seen['renewal']} {STORY_INSTITUTION}")
    page.get_by_role("button", name="打开", exact=True).nth(1).click()
    page.get_by_role("button", name="确定评估结果").click()
    grade = message(page, r"已研究确定续期评估结果：(\S+)（综合得分").group(1)

    case = renewal_record(store, seen["renewal"])
    assert case is not None and case["grade"] == grade
    assert case["status"] != lifecycle.RENEWAL_EVALUATING
    page.close()


def test_16_the_officer_records_a_voluntary_withdrawal_to_its_end(
    people: Users, journey: tuple[str, Store], seen: dict[str, Any]
) -> None:
    """EXIT-02: the application with its wind-down plan, the plan accepted, the letter."""
    _, store = journey
    page = people.open(OFFICER, "exits")
    open_picked(page, STORY_INSTITUTION)

    page.get_by_role("button", name="申请撤销备案").click()
    page.get_by_placeholder("参评人员服务（必填）").wait_for()  # the plan's four parts
    for area in page.locator("textarea").all():
        area.fill("按终止考核工作实施方案办理。")
        area.press("Tab")
    page.get_by_role("button", name="确认办理").click()
    message(page, "已登记撤销备案申请")
    page.get_by_role("button", name="评估收尾方案、指导收尾").click()
    page.get_by_role("button", name="确认办理").click()
    message(page, "收尾方案已评估通过")
    page.get_by_role("button", name="收尾完成、出具撤销备案函").click()
    page.get_by_placeholder(re.compile("收尾工作完成情况")).wait_for()
    page.locator("textarea").last.fill("合规数据已上报，证书已发放。")
    page.locator("textarea").last.press("Tab")
    page.get_by_role("button", name="确认办理").click()
    message(page, "已出具撤销备案函")

    with store.read() as conn:
        status = conn.execute(
            select(filings.c.status).where(filings.c.id == seen["filing"])
        ).scalar_one()
        exits = conn.execute(
            select(exit_cases.c.status).where(exit_cases.c.filing_id == seen["filing"])
        ).all()
    assert status == lifecycle.FILING_TERMINATED
    assert len(exits) == 1
    page.close()
