"""The 2025 and 2026 calls (SEL-02…SEL-07), planned per city (:mod:`.call_steps` runs them).

Each city publishes a call in spring; applicants apply inside its period, a panel of 3–5
experts checks each against Attachment 1, the city decides on one day, notices the proposed
filings for 5 working days (an objection or two, one upheld) and files them. Filed
institutions add projects through the same procedure (范围新增, SEL-06). A further call runs
on ``today`` in one or two cities, so that the dashboards find selection work in progress.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from casework.demo.timeline import NEVER, wd, workday_on_or_after
from casework.demo.world import LIVE, Filing, World
from casework.domain import calendar
from casework.errors import CalendarNotConfigured

FILED, REJECTED, WITHDRAWN, UPHELD, PENDING = "filed", "rejected", "withdrawn", "upheld", "pending"
SUPPLEMENTARY_CITIES = {
    "370700": "近两年在本市开展该项目培训不少于200人次",
    "371300": "考核场地位于本市行政区域内且面积不少于200平方米",
}
MANDATORY_FAULTS = ("2.3", "4.1", "4.4", "5.2", "6.1")
PRIORITY_IDS = ("8.1", "9.1", "10.1")


@dataclass
class Application:
    key: int
    inst: int
    projects: list[str]
    submit_on: date
    fate: str = FILED
    objection: str = ""
    override: str = ""
    withdraw_on: date = NEVER
    panel_on: date = NEVER
    members: list[str] = field(default_factory=list)
    sheet_on: list[date] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    filed_on: date = NEVER


@dataclass
class Call:
    key: str
    city: str
    year: int
    title: str
    published_on: date
    closes_on: date
    decide_on: date
    notice_on: date
    close_on: date = NEVER
    supplementary: list[dict[str, str]] = field(default_factory=list)
    apps: list[Application] = field(default_factory=list)


class CallPlanner:
    """Plans every call of the province; :meth:`emit` writes them to the timeline."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.calls: dict[tuple[str, int], Call] = {}
        self.live: list[Call] = []
        self._keys = 0

    def call(self, city: str, year: int) -> Call:
        key = (city, year)
        if key not in self.calls:
            rng = self.world.story_rng("call", city, year)
            published = workday_on_or_after(date(year, 3, 9) + timedelta(days=rng.randint(0, 25)))
            closes = published + timedelta(days=30)
            decide = wd(closes, rng.randint(20, 24))
            notice = wd(decide, 2)
            extra = SUPPLEMENTARY_CITIES.get(city)
            self.calls[key] = Call(
                key=f"{city}-{year}",
                city=city,
                year=year,
                title=f"{self.world.city_names[city]}市{year}年专项职业能力考核机构征集公告",
                published_on=published,
                closes_on=closes,
                decide_on=decide,
                notice_on=notice,
                close_on=wd(calendar.notice_end(notice), 1),
                supplementary=[{"sub_id": "S1", "text": extra}] if extra and year == 2025 else [],
            )
        return self.calls[key]

    def add(
        self,
        call: Call,
        inst: int,
        projects: list[str],
        rng: random.Random,
        *,
        fate: str = FILED,
        override: str = "",
        latest: int = 18,
    ) -> Application:
        """An application with its dates; a panel and sheets unless it is withdrawn."""
        self._keys += 1
        k = rng.randint(1, latest)
        while wd(call.published_on, k) > call.closes_on and k > 1:
            k -= 1
        app = Application(
            self._keys, inst, projects, wd(call.published_on, k), fate=fate, override=override
        )
        if fate == WITHDRAWN:
            app.withdraw_on = wd(app.submit_on, rng.randint(2, 6))
        else:
            app.panel_on = wd(call.closes_on, rng.randint(2, 8))
            experts = self.world.experts[call.city]
            app.members = rng.sample(experts, rng.choice((3, 3, 3, 4, 5)))
            app.sheet_on = [wd(app.panel_on, rng.randint(1, 5)) for _ in app.members]
            if fate == REJECTED:
                app.failing = [rng.choice(MANDATORY_FAULTS)]
            else:
                app.failing = rng.sample(PRIORITY_IDS, rng.randint(0, 3))
        if fate in (FILED,):
            app.filed_on = wd(call.close_on, rng.randint(1, 4))
        call.apps.append(app)
        return app

    # --- planning --------------------------------------------------------------------------
    def plan_new_applicants(self, overrides: dict[int, tuple[str, str]]) -> None:
        """C25/C26 institutions apply in their city's call; most are filed."""
        w = self.world
        for inst in w.insts:
            if inst.group not in ("C25", "C26"):
                continue
            year = 2025 if inst.group == "C25" else 2026
            call = self.call(inst.city, year)
            rng = w.story_rng("apply", inst.key)
            if inst.key in overrides:
                project, reason = overrides[inst.key]
                projects = [project]
                fate = FILED
            else:
                count = rng.choice((1, 1, 1, 1, 2, 2, 2, 3, 3, 4))
                projects = w.pick_projects(rng, inst.key, inst.city, year, count)
                roll = rng.random()
                fate = REJECTED if roll < 0.08 else WITHDRAWN if roll < 0.14 else FILED
                reason = ""
                if not projects:
                    continue
            if fate != FILED:
                for p in projects:
                    w.release(inst.key, inst.city, p)
            inst.craft = inst.craft or projects[0]
            app = self.add(call, inst.key, projects, rng, fate=fate, override=reason)
            if fate == FILED:
                w.filings[inst.key] = Filing(inst.key, inst.city, app.filed_on, list(projects))

    def plan_objections(self) -> None:
        """SEL-05: one objection dismissed (the applicant is filed) and one upheld (未通过)."""
        w = self.world
        outcomes = ["dismissed", "upheld"]
        for call in sorted(self.calls.values(), key=lambda c: (c.year, -len(c.apps), c.city)):
            plain = [
                a
                for a in call.apps
                if a.fate == FILED
                and not a.override
                and a.inst not in w.protected
                and w.filings[a.inst].filed_on == a.filed_on
            ]
            if not outcomes or not plain:
                continue
            app = plain[-1]
            app.objection = outcomes.pop(0)
            if app.objection == "upheld":
                app.fate, app.filed_on = UPHELD, NEVER
                for p in w.filings.pop(app.inst).projects:
                    w.release(app.inst, call.city, p)

    def plan_scope_additions(self, share: float = 0.12) -> None:
        """SEL-06: filed institutions (at least one) add projects in a later call (范围新增)."""
        w = self.world
        eligible: list[tuple[Filing, Call]] = []
        for f in sorted(w.filings.values(), key=lambda f: (f.filed_on, f.inst)):
            call = self.call(f.city, 2025 if f.filed_on.year < 2025 else 2026)
            before_round = call.close_on + timedelta(days=300) < f.term_end
            if (
                f.inst not in w.reserved | w.protected
                and f.filed_on < call.published_on - timedelta(days=20)
                and (f.term_end > w.renewal_free_after or before_round)
            ):
                eligible.append((f, call))
        chosen = [(f, c) for f, c in eligible if w.story_rng("scope", f.inst).random() < share]
        for f, call in chosen or eligible[:1]:
            rng = w.story_rng("scope-add", f.inst)
            added = w.pick_projects(rng, f.inst, f.city, call.year, rng.choice((1, 1, 2)))
            if added:
                self.add(call, f.inst, added, rng)

    def plan_live_calls(self) -> None:
        """A call still running on ``today`` in the cities with LIVE applicants: one applicant
        noticed (公示中), one being evaluated (评估中), one just submitted (已提交)."""
        w = self.world
        today = w.today
        published = wd(today, -40)
        if published < date(2025, 6, 1) or published == NEVER:
            return
        for city in w.cities:
            applicants = w.in_city(city, LIVE)
            if not applicants:
                continue
            rng = w.story_rng("live", city)
            notice_on = wd(today, -2)
            while notice_on != NEVER and _notice_end(notice_on) is None:
                notice_on = wd(notice_on, -1)
            call = Call(
                key=f"{city}-live",
                city=city,
                year=published.year,
                title=f"{w.city_names[city]}市{published.year}年专项职业能力考核机构补充征集公告",
                published_on=published,
                closes_on=wd(today, -22),
                decide_on=wd(notice_on, -3),
                notice_on=notice_on,
            )
            for inst in applicants:
                projects = w.pick_projects(rng, inst.key, city, published.year, rng.choice((1, 2)))
                if not projects:
                    continue
                inst.craft = inst.craft or projects[0]
                app = self.add(call, inst.key, projects, rng, latest=8)
                stage = len([a for c in self.live for a in c.apps]) + len(call.apps) - 1
                stage %= 3
                if stage == 1:  # 评估中: one sheet in, the others still open
                    app.panel_on = wd(today, -5)
                    app.sheet_on = [wd(today, -3)] + [NEVER] * (len(app.members) - 1)
                    app.fate = PENDING
                elif stage == 2:  # 已提交: no panel yet
                    app.panel_on, app.members, app.sheet_on, app.fate = NEVER, [], [], PENDING
                else:
                    app.panel_on = wd(call.closes_on, 1)
                    app.sheet_on = [wd(app.panel_on, 1 + j % 3) for j in range(len(app.members))]
                app.filed_on = NEVER
            self.live.append(call)


def _notice_end(start: date) -> date | None:
    try:
        return calendar.notice_end(start)
    except CalendarNotConfigured:
        return None
