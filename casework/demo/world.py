"""The plan of the demo province: cities, their projects, people and institutions.

:class:`World` holds what the planner has decided (pure data, a seeded ``random.Random``) and
the :class:`~casework.demo.timeline.Timeline` the decisions are written to. Quotas (SEL-07) are
tracked conservatively while planning — every institution that ever holds or applies for a
project counts — so that no command is refused unless a story means it to be.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from casework import registry as r
from casework.demo import names
from casework.demo.timeline import Lazy, Ref, Timeline
from casework.domain import rules
from casework.domain.reference import cities as reference_cities
from casework.domain.reference import demo_catalog
from casework.domain.terms import filing_term
from casework.registry import scenario
from casework.registry.actors import EXPERT, INSTITUTION, PROVINCE, Actor

YEARS = (2023, 2024, 2025, 2026)
GROUPS = ("T23", "T24", "C25", "C26")
"""Taken over from the 2023/2024 pilot (存量), or new through the 2025/2026 calls."""
GROUP_SHARES = (0.25, 0.20, 0.37, 0.18)
LIVE = "LIVE"
"""Applicants of a call still running on ``today``."""


@dataclass
class Institution:
    key: int
    city: str
    group: str
    craft: str = ""
    name: str = ""
    uscc: str = ""
    kind: str = ""
    district: str = ""
    contact: str = ""


@dataclass
class Filing:
    """A filing the plan expects: taken over (with its original code) or filed after selection."""

    inst: int
    city: str
    filed_on: date
    projects: list[str]
    taken_over: bool = False
    code: str = ""

    @property
    def term_end(self) -> date:
        return filing_term(self.filed_on).last_day


@dataclass
class World:
    """The plan. ``reserved`` institutions carry an exit story, ``protected`` ones a quota
    override; neither gets other stories. A filing ending after ``renewal_free_after`` is in no
    renewal round up to ``today``."""

    seed: int
    today: date
    size: int
    timeline: Timeline = field(default_factory=Timeline)
    city_names: dict[str, str] = field(default_factory=dict)
    project_names: dict[str, str] = field(default_factory=dict)
    project_category: dict[str, str] = field(default_factory=dict)
    catalog_years: dict[int, list[str]] = field(default_factory=dict)
    city_lists: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    experts: dict[str, list[str]] = field(default_factory=dict)
    insts: list[Institution] = field(default_factory=list)
    filings: dict[int, Filing] = field(default_factory=dict)
    holders: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    scope: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    reserved: set[int] = field(default_factory=set)
    protected: set[int] = field(default_factory=set)
    inst_users: dict[int, str] = field(default_factory=dict)
    renewal_free_after: date = date(2027, 12, 31)

    def __post_init__(self) -> None:
        table = reference_cities()
        self.city_names = dict(zip(table.city_code, table.name, strict=True))
        catalog = demo_catalog()
        self.project_names = dict(zip(catalog.project_code, catalog.name, strict=False))
        self.project_category = dict(zip(catalog.project_code, catalog.category, strict=False))
        for year in YEARS:
            self.catalog_years[year] = sorted(catalog.project_code[catalog.year == year])

    @property
    def cities(self) -> list[str]:
        return list(self.city_names)

    def story_rng(self, *key: object) -> random.Random:
        """A generator of its own for one story, so that stories do not shift each other
        (string seeds are hashed with SHA-512: the same on every run and platform)."""
        return random.Random(":".join(map(str, (self.seed, *key))))

    def in_city(self, city: str, *groups: str) -> list[Institution]:
        return [i for i in self.insts if i.city == city and (not groups or i.group in groups)]

    # --- quotas (SEL-07), conservatively ------------------------------------------------------
    def may_hold(self, inst: int, city: str, project: str, *, cap: bool = True) -> bool:
        if project in self.scope[inst]:
            return False
        if cap and len(self.scope[inst]) >= rules.MAX_PROJECTS_PER_INSTITUTION:
            return False
        return len(self.holders[(city, project)]) < rules.MAX_INSTITUTIONS_PER_PROJECT_PER_CITY

    def hold(self, inst: int, city: str, project: str) -> None:
        self.scope[inst].add(project)
        self.holders[(city, project)].add(inst)

    def release(self, inst: int, city: str, project: str) -> None:
        self.scope[inst].discard(project)
        self.holders[(city, project)].discard(inst)

    def pick_projects(
        self, rng: random.Random, inst: int, city: str, year: int, count: int
    ) -> list[str]:
        """Up to ``count`` projects of the city's list the quotas still allow, mostly the
        city's specialties first."""
        special = set(names.PROFILES[city].specialties)
        pool = list(self.city_lists[(city, year)])
        rng.shuffle(pool)
        pool.sort(key=lambda p: p not in special and rng.random() < 0.7)
        chosen: list[str] = []
        for p in pool:
            if len(chosen) < count and self.may_hold(inst, city, p):
                self.hold(inst, city, p)
                chosen.append(p)
        return chosen


# --- planning the set-up ---------------------------------------------------------------------
def plan_city_lists(world: World) -> None:
    """SEL-01: each city chooses 10–25 of the year's catalog projects, its specialties first,
    keeping most of last year's list; 5–8 experts sit in its pool (SEL-03, REN-04)."""
    for city in world.cities:
        rng = world.story_rng("list", city)
        count = rng.randint(5, 8)
        world.experts[city] = [f"expert{city}_{i}" for i in range(1, count + 1)]
        own = set(names.PROFILES[city].specialties)
        previous: list[str] = []
        for year in YEARS:
            listed = world.catalog_years[year]
            allowed = [p for p in listed if city in names.EXCLUSIVE.get(p, frozenset({city}))]
            keep = [p for p in previous if p in listed]
            droppable = [p for p in keep if p not in own]
            for p in rng.sample(droppable, min(len(droppable), rng.randint(0, 2))):
                keep.remove(p)
            wanted = rng.randint(12, 22) if not previous else max(10, min(25, len(keep) + 3))
            extra = [p for p in allowed if p not in keep]
            rng.shuffle(extra)
            extra.sort(key=lambda p: (p not in own, world.project_category[p] == "非遗传承"))
            chosen = keep + extra[: max(0, wanted - len(keep))]
            world.city_lists[(city, year)] = sorted(chosen)
            previous = chosen


def plan_institutions(world: World) -> None:
    """Spread ``size`` institutions over the 16 cities by weight (each at least 2), then split
    each city's institutions into the four histories of GROUPS."""
    weights = {c: names.PROFILES[c].weight for c in world.cities}
    floor = min(2, max(1, world.size // len(weights)))
    counts = {c: floor for c in weights}
    rest = max(0, world.size - floor * len(weights))
    total = sum(weights.values())
    shares = {c: rest * w / total for c, w in weights.items()}
    for c in weights:
        counts[c] += int(shares[c])
    left = world.size - sum(counts.values())
    for c in sorted(weights, key=lambda c: shares[c] - int(shares[c]), reverse=True)[
        : max(0, left)
    ]:
        counts[c] += 1
    key = 0
    for city in world.cities:
        n = counts[city]
        split = [int(n * s) for s in GROUP_SHARES]
        order = sorted(range(4), key=lambda g: n * GROUP_SHARES[g] - split[g], reverse=True)
        for g in order[: n - sum(split)]:
            split[g] += 1
        for group, k in zip(GROUPS, split, strict=True):
            for _ in range(k):
                world.insts.append(Institution(key, city, group))
                key += 1


def name_institutions(world: World) -> None:
    """Names from city + craft + organisation form, with valid Shandong credit codes."""
    used_names: set[str] = set()
    used_codes: set[str] = set()
    for inst in world.insts:
        rng = world.story_rng("name", inst.key)
        profile = names.PROFILES[inst.city]
        if not inst.craft:
            inst.craft = rng.choice(world.city_lists[(inst.city, 2025)])
        division, district = rng.choice(profile.districts)
        project = world.project_names[inst.craft]
        inst.name, inst.kind, prefix = names.institution_name(
            rng,
            city_name=world.city_names[inst.city],
            district=district,
            nickname=profile.nickname,
            craft=names.craft_label(project),
            category=world.project_category[inst.craft],
            used=used_names,
        )
        inst.district = district
        inst.uscc = names.credit_code(rng, prefix, division, used_codes)
        inst.contact = names.person_name(rng)


# --- emitting the set-up ---------------------------------------------------------------------
def emit_setup(world: World) -> None:
    """Reference data, the catalog, city lists, users and institutions: undated set-up steps."""
    tl = world.timeline
    province = scenario.PROVINCE_ACTOR
    tl.setup(
        "载入城市名录", r.load_cities, r.SYSTEM_ACTOR, rows=reference_cities().to_dict("records")
    )
    tl.setup(
        "登记省级用户",
        r.add_user,
        r.SYSTEM_ACTOR,
        username=province.username,
        display_name="省人社厅职业能力建设处",
        role=PROVINCE,
    )
    for year in YEARS:
        entries = [
            {
                "project_code": p,
                "name": world.project_names[p],
                "category": world.project_category[p],
            }
            for p in world.catalog_years[year]
        ]
        tl.setup(f"发布{year}年目录", r.publish_catalog, province, year=year, entries=entries)
    for city in world.cities:
        emit_city_users(world, city)
        for year in YEARS:
            tl.setup(
                f"{city}确定{year}年项目",
                r.choose_city_projects,
                scenario.city_officer(city),
                city_code=city,
                year=year,
                project_codes=world.city_lists[(city, year)],
            )
    for inst in world.insts:
        profile = names.PROFILES[inst.city]
        tl.setup(
            f"登记{inst.name}",
            r.register_institution,
            scenario.city_officer(inst.city),
            save=("inst", inst.key),
            name=inst.name,
            uscc=inst.uscc,
            city_code=inst.city,
            kind=inst.kind,
            contact=inst.contact,
            phone=names.phone(random.Random(inst.uscc)),
            address=f"山东省{world.city_names[inst.city]}市{inst.district}{profile.nickname}路"
            f"{inst.key % 300 + 1}号",
        )
    for key, username in sorted(world.inst_users.items()):
        inst = world.insts[key]
        tl.setup(
            f"登记机构用户{username}",
            r.add_user,
            scenario.city_manager(inst.city),
            username=username,
            display_name=f"{inst.name}（{inst.contact}）",
            role=INSTITUTION,
            city_code=inst.city,
            institution_id=Ref("inst", key),
        )


def emit_city_users(world: World, city: str) -> None:
    """A city's officer and manager, and 5–8 experts from diverse units (SUP-03)."""
    rng = world.story_rng("users", city)
    name = world.city_names[city]
    manager = scenario.city_manager(city)
    tl = world.timeline
    for actor, title in ((scenario.city_officer(city), "经办人"), (manager, "负责人")):
        tl.setup(
            f"登记{actor.username}",
            r.add_user,
            scenario.PROVINCE_ACTOR,
            username=actor.username,
            role=actor.role,
            city_code=city,
            display_name=f"{name}市人社局{title}{names.person_name(rng)}",
        )
    units = names.expert_units(name)
    for i, username in enumerate(world.experts[city]):
        tl.setup(
            f"登记{username}",
            r.add_user,
            manager,
            username=username,
            display_name=names.person_name(rng),
            role=EXPERT,
            unit=units[i % len(units)],
        )


def institution_actor(world: World, key: int) -> Actor | Lazy:
    """The institution's own user where it has one, else the city officer acting for it."""
    inst = world.insts[key]
    if key not in world.inst_users:
        return scenario.city_officer(inst.city)
    username = world.inst_users[key]
    return Lazy(
        lambda ctx: Actor(
            username, INSTITUTION, city_code=inst.city, institution_id=ctx["inst", key]
        )
    )
