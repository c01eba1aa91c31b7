"""Filings taken over from the 2023 pilot, quota overrides and project deletions.

Institutions filed under 鲁人社字〔2023〕22号 in 2023–2024 are registered with their original
codes and terms (``register_existing_filing``), so that their renewal (2025–2027) and exit run
in casework. Their terms end from 2026 on, which feeds the renewal rounds.
"""

from __future__ import annotations

from datetime import date, timedelta

from casework import registry as r
from casework.demo.timeline import CASEWORK_FROM, Ref, month_start, plus_months, workday_on_or_after
from casework.demo.world import Filing, World
from casework.domain import rules
from casework.registry import scenario

SOURCE = f"{rules.PILOT_SCHEME_NO}试点"
PROJECT_COUNTS = (1, 1, 1, 2, 2, 2, 3, 3, 4, 5)
"""How many projects a filing starts with (mostly 1–3; SEL-07 caps at 5)."""
PROJECT_OVERRIDE = (
    "该项目为本市重点特色产业，从业人员多、考核需求大，经局务会研究同意突破每个项目5家机构的限制"
)
INSTITUTION_OVERRIDE = (
    "该机构为省级技能人才培养基地，场地和考评人员充足，经局务会研究同意突破每家机构5个项目的限制"
)
DELETION_REASONS = (
    "考评人员流失，暂无法继续开展该项目考核，机构申请删除",
    "该项目本地培训需求萎缩，机构申请删除",
    "考核场地调整，不再具备该项目考核条件",
)


def plan_takeovers(world: World, live_window: tuple[date, date] | None) -> None:
    """Existing filings with 1–5 projects; a few are timed to fall due in the live renewal
    round (``live_window``), so that ``today`` finds renewal work in progress."""
    for inst in world.insts:
        if inst.group not in ("T23", "T24"):
            continue
        rng = world.story_rng("takeover", inst.key)
        year = 2023 if inst.group == "T23" else 2024
        month = rng.randint(1, 12)
        start = workday_on_or_after(date(year, month, rng.randint(1, 20)))
        projects = world.pick_projects(rng, inst.key, inst.city, year, rng.choice(PROJECT_COUNTS))
        if not projects:  # the city's list is full: any catalog project the quota allows
            pool = [p for p in world.catalog_years[year] if world.may_hold(inst.key, inst.city, p)]
            projects = [rng.choice(pool)]
            world.hold(inst.key, inst.city, projects[0])
        inst.craft = projects[0]
        world.filings[inst.key] = Filing(inst.key, inst.city, start, projects, taken_over=True)
    if live_window is not None:
        force_into_window(world, *live_window)


def force_into_window(world: World, first: date, last: date, wanted: int = 4) -> None:
    """Re-time a few takeovers, biggest cities first, so that their terms end inside the
    live renewal round (``first``…``last``)."""
    inside = [f for f in world.filings.values() if first <= f.term_end <= last]
    by_size = sorted(world.cities, key=lambda c: (-len(world.in_city(c)), c))
    for city in by_size:
        rng = world.story_rng("window", city)
        for f in (f for f in world.filings.values() if f.city == city and f not in inside):
            if len(inside) >= wanted:
                return
            end_month = plus_months(month_start(first), rng.randint(0, 3))
            start_month = plus_months(end_month, -(rules.TERM_MONTHS - 1))
            if not date(2023, 1, 1) <= start_month <= date(2024, 12, 1):
                return
            f.filed_on = workday_on_or_after(start_month + timedelta(days=rng.randint(0, 12)))
            if first <= f.term_end <= last:
                inside.append(f)
            break  # one a city, so that every city keeps renewals of its own


def assign_original_codes(world: World) -> None:
    """Original pilot codes, in filing order per city and year: SD3701-2023-001 …"""
    seqs: dict[tuple[str, int], int] = {}
    taken = (f for f in world.filings.values() if f.taken_over)
    for f in sorted(taken, key=lambda f: (f.city, f.filed_on, f.inst)):
        key = (f.city, f.filed_on.year)
        seqs[key] = seqs.get(key, 0) + 1
        f.code = f"SD{f.city[:4]}-{f.filed_on.year}-{seqs[key]:03d}"


def plan_project_override(world: World) -> tuple[int, str] | None:
    """SEL-07 (project side): five taken-over institutions of one city hold project p, and a
    sixth is approved in the 2025 call with the 市级负责人's reason. Returns (applicant, p)."""
    for city in sorted(world.cities, key=lambda c: -len(world.in_city(c, "T23", "T24"))):
        holders = world.in_city(city, "T23", "T24")
        applicants = world.in_city(city, "C25")
        common = set(world.city_lists[(city, 2023)]) & set(world.city_lists[(city, 2024)])
        common &= set(world.city_lists[(city, 2025)])
        if (
            len(holders) < rules.MAX_INSTITUTIONS_PER_PROJECT_PER_CITY
            or not applicants
            or not common
        ):
            continue
        project = max(sorted(common), key=lambda p: len(world.holders[(city, p)]))
        chosen = sorted(world.holders[(city, project)])
        for inst in holders:
            if len(chosen) >= rules.MAX_INSTITUTIONS_PER_PROJECT_PER_CITY:
                break
            if inst.key not in chosen:
                f = world.filings[inst.key]
                if len(f.projects) >= rules.MAX_PROJECTS_PER_INSTITUTION:
                    world.release(inst.key, city, f.projects.pop())
                f.projects.append(project)
                world.hold(inst.key, city, project)
                chosen.append(inst.key)
        applicant = applicants[0].key
        world.hold(applicant, city, project)
        world.protected.update({*chosen, applicant})
        return applicant, project
    return None


def plan_institution_override(world: World, avoid: str | None) -> tuple[int, str] | None:
    """SEL-07 (institution side): a taken-over institution with 5 projects adds a 6th in the
    2025 call, approved with the 市级负责人's reason. Returns (institution, project)."""
    candidates = sorted(
        (f for f in world.filings.values() if f.inst not in world.protected),
        key=lambda f: (f.city == avoid, f.filed_on.year != 2024, -len(f.projects), f.inst),
    )
    for f in candidates:
        rng = world.story_rng("inst-override", f.inst)
        year = f.filed_on.year
        extra = world.pick_projects(rng, f.inst, f.city, year, 5 - len(f.projects))
        f.projects.extend(extra)
        addable = [
            p
            for p in world.city_lists[(f.city, 2025)]
            if world.may_hold(f.inst, f.city, p, cap=False)
        ]
        if len(f.projects) == rules.MAX_PROJECTS_PER_INSTITUTION and addable:
            project = rng.choice(addable)
            world.hold(f.inst, f.city, project)
            world.protected.add(f.inst)
            return f.inst, project
    return None


def emit_takeovers(world: World) -> None:
    for f in world.filings.values():
        if f.taken_over:
            world.timeline.command(
                f.filed_on,
                f"登记存量备案{f.code}",
                r.register_existing_filing,
                scenario.city_officer(f.city),
                save=("filing", f.inst),
                institution_id=Ref("inst", f.inst),
                code=f.code,
                term_start=f.filed_on,
                project_codes=list(f.projects),
                filed_on=f.filed_on,
                source=SOURCE,
            )


def plan_deletions(world: World, share: float = 0.08) -> None:
    """SEL-06 删除项目: a few filings (at least one) drop a project, code and term unchanged;
    never while a renewal round could be running on the filing."""
    eligible: list[tuple[Filing, date]] = []
    for f in sorted(world.filings.values(), key=lambda f: (f.filed_on, f.inst)):
        rng = world.story_rng("delete-on", f.inst)
        on = max(f.filed_on, CASEWORK_FROM) + timedelta(days=rng.randint(60, 400))
        on = workday_on_or_after(on)
        quiet = f.term_end > world.renewal_free_after or plus_months(on, 10) < f.term_end
        if f.inst not in world.reserved | world.protected and len(f.projects) > 1 and quiet:
            eligible.append((f, on))
    chosen = [(f, on) for f, on in eligible if world.story_rng("delete", f.inst).random() < share]
    for f, on in chosen or eligible[:1]:
        rng = world.story_rng("delete-what", f.inst)
        project = rng.choice(f.projects[1:])
        world.timeline.command(
            on,
            f"删除项目{project}",
            r.remove_projects,
            scenario.city_officer(f.city),
            filing_id=Ref("filing", f.inst),
            project_codes=[project],
            on=on,
            reason=rng.choice(DELETION_REASONS),
        )
