"""The rubrics of Attachments 1 and 4 as versioned policy files (``schemas/rubrics/*.yaml``).

Attachment 1 (selection conditions, SEL-04) and Attachment 4 (renewal sheet, REN-06, REN-07) are
data the province may revise: each revision is a new file with its own ``version`` and
``effective`` date, never an edit of code. Loading a file validates it against the pandera
tables below and against the arithmetic every revision must keep (REN-07: each group's items add
up to the group's points, and the groups to ``rules.MAX_SCORE``). A malformed file raises
:class:`~casework.errors.ValidationFailed` listing every problem at once.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Final, Literal, NoReturn, cast, overload

import pandas as pd
import pandera.pandas as pa
import yaml
from pandera.typing import DataFrame, Series

from casework.domain import problems, rules
from casework.errors import NotFound, ValidationFailed
from casework.paths import policy_files, schemas_dir

SELECTION: Final = "selection"
"""Kind of the Attachment 1 rubric (遴选评估参考条件)."""
RENEWAL: Final = "renewal"
"""Kind of the Attachment 4 rubric (续期评估明细表)."""
KINDS: Final = (SELECTION, RENEWAL)
KIND_LABELS: Final = {SELECTION: "遴选评估参考条件（附件1）", RENEWAL: "续期评估明细表（附件4）"}
MANDATORY: Final = "必备"
"""SEL-04: every 必备 sub-condition must be met."""
PRIORITY: Final = "优先"
"""SEL-04: meeting any 优先 condition gives priority among qualified applicants."""
PROBLEM_COLUMNS: Final = problems.COLUMNS
MEAN: Final = "mean"
"""Composite = arithmetic mean of the members' totals."""
TRIMMED: Final = "trimmed"
"""Composite = mean after dropping one highest and one lowest total."""
COMPOSITE_METHODS: Final = (MEAN, TRIMMED)
"""REN-04: how a renewal rubric says the members' totals are combined (its composite_method)."""

_HEADER: Final = ("id", "kind", "version", "effective", "source", "title")
_BODY: Final = {
    SELECTION: ("items", "notes"),
    RENEWAL: (
        "legend",
        "total_points",
        "pass_mark",
        "point_step",
        "composite_method",
        "groups",
        "veto_items",
    ),
}
_NONEMPTY: Final = {"min_value": 1}
_TABLE_LABELS: Final = {
    "ConditionsTable": "评估内容",
    "RenewalItemsTable": "评分项",
    "RenewalGroupsTable": "一级指标",
    "VetoItemsTable": "不合格项",
}
_RULES: Final = {SELECTION: "SEL-04", RENEWAL: "REN-07"}
"""The rule a problem of each kind of file is reported under (its clause of the notice)."""


class ConditionsTable(pa.DataFrameModel):
    """Attachment 1: one row per sub-condition (SEL-04)."""

    item_no: Series[int] = pa.Field(in_range={"min_value": 1, "max_value": 10})
    item_name: Series[str] = pa.Field(str_length=_NONEMPTY)
    kind: Series[str] = pa.Field(isin=[MANDATORY, PRIORITY])
    sub_id: Series[str] = pa.Field(unique=True, str_length=_NONEMPTY)
    text: Series[str] = pa.Field(str_length=_NONEMPTY)
    per_project: Series[bool]
    """SEL-04: judged once per project applied for (the text speaks of “所申报专项职业能力考核
    项目”/“每个专项职业能力考核项目” itself); absent in a file = False."""

    class Config:
        strict = True


class RenewalItemsTable(pa.DataFrameModel):
    """Attachment 4: one row per scored item (REN-07)."""

    item_id: Series[str] = pa.Field(unique=True, str_length=_NONEMPTY)
    group_no: Series[int] = pa.Field(in_range={"min_value": 1, "max_value": 10})
    group: Series[str] = pa.Field(str_length=_NONEMPTY)
    indicator: Series[str] = pa.Field(str_length=_NONEMPTY)
    criterion: Series[str] = pa.Field(str_length=_NONEMPTY)
    points: Series[float] = pa.Field(gt=0, coerce=True)

    class Config:
        strict = True


class RenewalGroupsTable(pa.DataFrameModel):
    """Attachment 4: the ten 一级指标 with their declared points (REN-07)."""

    group_no: Series[int] = pa.Field(unique=True, in_range={"min_value": 1, "max_value": 10})
    group: Series[str] = pa.Field(unique=True, str_length=_NONEMPTY)
    points: Series[float] = pa.Field(gt=0, coerce=True)

    class Config:
        strict = True


class VetoItemsTable(pa.DataFrameModel):
    """Attachment 4: the 不合格项 (REN-06)."""

    veto_id: Series[str] = pa.Field(unique=True, str_length=_NONEMPTY)
    text: Series[str] = pa.Field(str_length=_NONEMPTY)

    class Config:
        strict = True


@dataclass(frozen=True, eq=False)
class _Rubric:
    """Header fields shared by both rubrics; equal when id and file digest are equal."""

    kind: ClassVar[str]
    id: str
    version: str
    effective: date
    source: str
    title: str
    path: Path
    digest: str

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) or not isinstance(other, _Rubric):
            return NotImplemented
        return (self.id, self.digest) == (other.id, other.digest)

    def __hash__(self) -> int:
        return hash((self.kind, self.id, self.digest))


@dataclass(frozen=True, eq=False)
class SelectionRubric(_Rubric):
    """Attachment 1: items 1–7 必备, items 8–10 优先, and the 说明 notes (SEL-04)."""

    kind: ClassVar[str] = SELECTION
    conditions: DataFrame[ConditionsTable]
    notes: tuple[str, ...]

    @property
    def mandatory(self) -> DataFrame[ConditionsTable]:
        """SEL-04: the sub-conditions an applicant must all meet."""
        return cast(DataFrame[ConditionsTable], self.conditions[self.conditions.kind == MANDATORY])

    @property
    def priority(self) -> DataFrame[ConditionsTable]:
        """SEL-04: the sub-conditions any one of which gives priority."""
        return cast(DataFrame[ConditionsTable], self.conditions[self.conditions.kind == PRIORITY])

    @cached_property
    def per_project(self) -> tuple[str, ...]:
        """SEL-04: the sub-conditions the panel judges once per project applied for (sites and
        equipment, examiners and experts, question banks, experience: Att.1 2.3, 4.3, 4.4,
        5.1, 5.2, 6.1, 6.2 in 2025.1); every other condition is judged once for the applicant."""
        return tuple(self.conditions.sub_id[self.conditions.per_project])


@dataclass(frozen=True, eq=False)
class RenewalRubric(_Rubric):
    """Attachment 4: scored items in groups, veto items and the scoring legend (REN-06, REN-07),
    with the grading policy of this revision.

    Attributes:
        pass_mark: REN-05: a composite of this or more (included) is 合格.
        point_step: REN-07: 基本符合 points are multiples of this.
        composite_method: REN-04: how the members' totals are combined (:data:`COMPOSITE_METHODS`).
    """

    kind: ClassVar[str] = RENEWAL
    items: DataFrame[RenewalItemsTable]
    groups: DataFrame[RenewalGroupsTable]
    veto_items: DataFrame[VetoItemsTable]
    legend: str
    pass_mark: float
    point_step: float
    composite_method: str

    @cached_property
    def item_points(self) -> Mapping[str, float]:
        """REN-07: item_id → full points of the item, in sheet order (read-only; worked out
        once per rubric object: the scoring of one sheet asks for it on every row)."""
        return MappingProxyType(dict(zip(self.items.item_id, self.items.points, strict=True)))

    @property
    def total_points(self) -> float:
        """REN-07: the sum of all item points (100 for every valid file)."""
        return float(self.items.points.sum())


Rubric = SelectionRubric | RenewalRubric


class _Problems:
    """Collects the problems of one file as rows of the 行/列/值/要求/规则 table."""

    def __init__(self, path: Path, rule: str) -> None:
        self.path, self.rule, self.rows = path, rule, list[tuple]()

    def add(self, where: str, column: str, value: object, need: str, rule: str = "") -> None:
        shown = None if isinstance(value, float) and pd.isna(value) else value
        row = problems.problem(f"{self.path.name}：{where}", column, shown, need, rule or self.rule)
        if row not in self.rows:
            self.rows.append(row)

    def raise_if_any(self) -> None:
        if self.rows:
            raise ValidationFailed(
                f"评分细则文件 {self.path} 未通过校验，共 {len(self.rows)} 项问题",
                problems.table(self.rows),
                rule_id=self.rule,
            )

    def fail(self, where: str, column: str, value: object, need: str) -> NoReturn:
        self.add(where, column, value, need)
        self.raise_if_any()
        raise AssertionError(need)  # pragma: no cover - raise_if_any has raised


def _validate(
    model: type[pa.DataFrameModel],
    records: list[dict[str, Any]],
    where: list[str],
    p: _Problems,
    rule: str,
) -> pd.DataFrame | None:
    """Validate ``records`` lazily; report failures at their ``where`` label; None if any."""
    label = _TABLE_LABELS[model.__name__]
    if not records:
        p.add(label, "—", "", "至少应有一行", rule)
        return None
    columns = list(model.to_schema().columns)
    extra = sorted({k for r in records for k in r} - set(columns))
    frame = pd.DataFrame(records, columns=columns + extra)
    try:
        return model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        found = problems.from_failure_cases(
            exc, rule=rule, frame=frame, rows=lambda i: where[int(cast(int, i))], whole=label
        )
    for row in found.itertuples(index=False):
        p.add(str(row[0]), str(row[1]), row[2], str(row[3]), str(row[4]))
    return None


def _listed(value: object, where: str, field: str, p: _Problems) -> list[dict[str, Any]]:
    """``value`` as a list of mappings, or [] after reporting what is wrong."""
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value
    p.add(where, field, value, "应为由若干条目组成的列表")
    return []


def _header(raw: dict[str, Any], p: _Problems) -> dict[str, Any]:
    """Check the header fields; returns them (effective as a date where possible)."""
    head = {k: raw.get(k) for k in _HEADER}
    kind = head["kind"]
    if kind not in KINDS:
        p.add("文件头", "kind", kind, f"应为 {' 或 '.join(KINDS)}")
    for key in ("id", "version", "source", "title"):
        value = head[key]
        if not isinstance(value, str) or not value.strip():
            quoted = '（版本号须加引号，如 "2025.1"）' if key == "version" else ""
            p.add("文件头", key, value, f"应为非空文本{quoted}")
    if isinstance(head["effective"], str):
        with contextlib.suppress(ValueError):
            head["effective"] = date.fromisoformat(head["effective"])
    if not isinstance(head["effective"], date) or isinstance(head["effective"], datetime):
        p.add("文件头", "effective", raw.get("effective"), "应为生效日期，如 2025-02-12")
    if kind in KINDS and head["id"] != f"{kind}-{head['version']}":
        p.add("文件头", "id", head["id"], f"应为 {kind}-{head['version']}（类别-版本号）")
    allowed = set(_HEADER) | set(_BODY.get(str(kind), ()))
    for key in raw:
        if key not in allowed:
            p.add("文件头", str(key), raw[key], "不允许的字段")
    for key in _BODY.get(str(kind), ()):
        if key not in raw:
            p.add("文件头", key, "", "缺少必填字段")
    return head


def _selection(raw: dict[str, Any], p: _Problems) -> dict[str, Any]:
    """Attachment 1 body: flatten items → conditions; SEL-04 structure."""
    records, where, seen = [], [], set[object]()
    for i, item in enumerate(_listed(raw.get("items"), "评估项目", "items", p), 1):
        no, label = item.get("item_no"), f"第{i}个评估项目（{item.get('name')}）"
        if no in seen:
            p.add(label, "item_no", no, "序号不得重复")
        seen.add(no)
        extra = {
            k: v for k, v in item.items() if k not in ("item_no", "name", "kind", "conditions")
        }
        conditions = _listed(item.get("conditions"), label, "conditions", p)
        if not conditions:
            p.add(label, "conditions", "", "每个评估项目至少有一条评估内容")
        for j, cond in enumerate(conditions, 1):
            own = {"item_no": no, "item_name": item.get("name"), "kind": item.get("kind")}
            records.append({**own, "per_project": False, **extra, **cond})
            where.append(f"{label}第{j}条")
            sub = cond.get("sub_id")
            if isinstance(sub, str) and not sub.startswith(f"{no}."):
                p.add(where[-1], "sub_id", sub, f"应以“{no}.”开头（所属评估项目序号）")
    for label, record in zip(where, records, strict=True):
        flag = record.get("per_project")
        if not isinstance(flag, bool):
            p.add(label, "per_project", flag, "应为 true 或 false（是否按申报项目逐项评估）")
            record["per_project"] = False  # reported once here, not again by the schema
        elif flag and record.get("kind") != MANDATORY:
            p.add(label, "per_project", flag, f"只有“{MANDATORY}”条件可以按申报项目逐项评估")
    table = _validate(ConditionsTable, records, where, p, "SEL-04")
    if table is not None and not (table.kind == MANDATORY).any():
        p.add("评估项目", "kind", "", f"至少应有一项“{MANDATORY}”条件")
    notes = raw.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) and n.strip() for n in notes):
        p.add("说明", "notes", notes, "应为由非空文本组成的列表")
    return {"conditions": table, "notes": tuple(notes) if isinstance(notes, list) else ()}


def _renewal(raw: dict[str, Any], p: _Problems) -> dict[str, Any]:
    """Attachment 4 body: flatten groups → items; REN-07 sums; REN-06 veto items."""
    groups, items, g_where, i_where = [], [], [], []
    for gi, group in enumerate(_listed(raw.get("groups"), "一级指标", "groups", p), 1):
        label = f"第{gi}组（{group.get('group')}）"
        groups.append({k: v for k, v in group.items() if k != "items"})
        g_where.append(label)
        for ii, item in enumerate(_listed(group.get("items"), label, "items", p), 1):
            items.append({"group_no": group.get("group_no"), "group": group.get("group"), **item})
            i_where.append(f"{label}第{ii}项（{item.get('item_id')}）")
    group_table = _validate(RenewalGroupsTable, groups, g_where, p, "REN-07")
    item_table = _validate(RenewalItemsTable, items, i_where, p, "REN-07")
    vetoes = _listed(raw.get("veto_items"), "不合格项", "veto_items", p)
    veto_where = [f"第{k}个不合格项（{v.get('veto_id')}）" for k, v in enumerate(vetoes, 1)]
    veto_table = _validate(VetoItemsTable, vetoes, veto_where, p, "REN-06")
    legend = raw.get("legend")
    if not isinstance(legend, str) or not legend.strip():
        p.add("文件头", "legend", legend, "应为评分说明文本")
    declared_total = raw.get("total_points")
    if declared_total != rules.MAX_SCORE:
        p.add("文件头", "total_points", declared_total, f"总分应为 {rules.MAX_SCORE:g}", "REN-07")
    policy = _grading_policy(raw, item_table, p)
    if group_table is not None and item_table is not None:
        sums = item_table.groupby("group_no").points.sum()
        declared = zip(group_table.group_no, group_table.points.astype(float), strict=True)
        for k, (group_no, points) in enumerate(declared):
            got = float(sums.get(group_no, 0.0))
            if abs(got - points) > 1e-9:
                need = f"本组各项分值之和应等于本组分值 {points:g}"
                p.add(g_where[k], "points", f"各项合计 {got:g}", need, "REN-07")
        total = float(group_table.points.sum())
        if abs(total - rules.MAX_SCORE) > 1e-9:
            need = f"各组分值之和应为总分 {rules.MAX_SCORE:g}"
            p.add("一级指标", "points", f"各组合计 {total:g}", need, "REN-07")
    return {
        "items": item_table,
        "groups": group_table,
        "veto_items": veto_table,
        "legend": legend,
        **policy,
    }


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _grading_policy(
    raw: dict[str, Any], items: pd.DataFrame | None, p: _Problems
) -> dict[str, Any]:
    """REN-04, REN-05, REN-07: the pass mark, the point step and the composite method."""
    mark, step, method = (_number(raw.get("pass_mark")), _number(raw.get("point_step")), None)
    if "pass_mark" in raw and (mark is None or not 0 < mark <= rules.MAX_SCORE):
        need = f"合格分数线应为 0 至 {rules.MAX_SCORE:g} 之间的数（含 {rules.MAX_SCORE:g}）"
        p.add("文件头", "pass_mark", raw.get("pass_mark"), need, "REN-05")
    if "point_step" in raw and (step is None or step <= 0):
        p.add("文件头", "point_step", raw.get("point_step"), "给分单位应为大于 0 的数", "REN-07")
    elif step is not None and items is not None:
        off = items[~items.points.map(lambda v: abs(v / step - round(v / step)) < 1e-9)]
        for item_id, points in zip(off.item_id, off.points, strict=True):
            need = f"分值应为给分单位 {step:g} 的整数倍"
            p.add(f"评分项 {item_id}", "points", points, need, "REN-07")
    if raw.get("composite_method") in COMPOSITE_METHODS:
        method = str(raw["composite_method"])
    elif "composite_method" in raw:
        need = f"综合得分计算方法应为 {' 或 '.join(COMPOSITE_METHODS)}"
        p.add("文件头", "composite_method", raw.get("composite_method"), need, "REN-04")
    return {"pass_mark": mark, "point_step": step, "composite_method": method}


@lru_cache(maxsize=32)
def _build(path: Path, data: bytes) -> Rubric:
    """Parse and validate one file's bytes (cached by content)."""
    p = _Problems(path, "—")
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else "全文"
        p.fail(at, "—", getattr(exc, "problem", None) or exc, "应为 UTF-8 编码的合法 YAML 文件")
    if not isinstance(raw, dict):
        p.fail("全文", "—", type(raw).__name__, "应为键值映射（文件头字段加正文）")
    p.rule = _RULES.get(str(raw.get("kind")), p.rule)
    head = _header(raw, p)
    kind = head.pop("kind")
    body = _renewal(raw, p) if kind == RENEWAL else _selection(raw, p) if kind == SELECTION else {}
    p.raise_if_any()
    meta = {**head, "path": path, "digest": hashlib.sha256(data).hexdigest(), **body}
    return RenewalRubric(**meta) if kind == RENEWAL else SelectionRubric(**meta)


def _fresh(rubric: Rubric) -> Rubric:
    """A copy whose frames the caller may change without touching the cache."""
    if isinstance(rubric, SelectionRubric):
        return replace(rubric, conditions=rubric.conditions.copy())
    return replace(
        rubric,
        items=rubric.items.copy(),
        groups=rubric.groups.copy(),
        veto_items=rubric.veto_items.copy(),
    )


def rubrics_dir() -> Path:
    """The folder of rubric files: ``schemas_dir() / "rubrics"``."""
    return schemas_dir() / "rubrics"


def load_file(path: str | Path) -> Rubric:
    """Load and validate one rubric file.

    Raises:
        NotFound: the file does not exist.
        ValidationFailed: the file is malformed; ``problems`` lists every failure.
    """
    resolved = Path(path).resolve()
    try:
        data = resolved.read_bytes()
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise NotFound(f"找不到评分细则文件：{resolved}") from exc
    return _fresh(_build(resolved, data))


def _version_key(rubric: Rubric) -> tuple[date, tuple[tuple[int, str], ...]]:
    parts = rubric.version.split(".")
    return rubric.effective, tuple((int(x), "") if x.isdigit() else (-1, x) for x in parts)


_CATALOG: dict[tuple[tuple[Path, bytes], ...], tuple[Rubric, ...]] = {}
"""The last catalog built, keyed by the path and bytes of every rubric file it was built from."""


def _catalog() -> tuple[Rubric, ...]:
    """Every rubric file of the merged rubric folders, validated, oldest first; duplicates
    refused. The objects are shared: hand out :func:`_fresh` copies.

    Each call lists the folders and reads the files again (a province's ``CASEWORK_SCHEMAS``,
    a revision written a moment ago) but validates only when a file is new or changed; the
    registry asks for a case's rubric in every command (``by_id``).
    """
    key = tuple((path.resolve(), _read(path)) for path in policy_files("rubrics"))
    cached = _CATALOG.get(key)
    if cached is None:
        cached = _validated_catalog(key)
        _CATALOG.clear()
        _CATALOG[key] = cached
    return cached


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise NotFound(f"找不到评分细则文件：{path}") from exc


def _validated_catalog(files: tuple[tuple[Path, bytes], ...]) -> tuple[Rubric, ...]:
    found = sorted(
        (_build(path, data) for path, data in files), key=lambda r: (r.kind, _version_key(r))
    )
    seen: dict[tuple[str, str], Path] = {}
    p = _Problems(rubrics_dir(), "—")
    for rubric in found:
        key = (rubric.kind, rubric.version)
        if key in seen:
            need = f"与 {seen[key].name} 的版本号重复"
            p.add(rubric.path.name, "version", rubric.version, need, _RULES[rubric.kind])
        seen[key] = rubric.path
    p.raise_if_any()
    return tuple(found)


def available() -> pd.DataFrame:
    """All rubric files: columns id, kind, version, effective, path (by kind, then age)."""
    rows = [(r.id, r.kind, r.version, r.effective, r.path) for r in _catalog()]
    return pd.DataFrame(rows, columns=["id", "kind", "version", "effective", "path"])


@overload
def load(
    kind: Literal["selection"], version: str | None = None, *, on: date | None = None
) -> SelectionRubric: ...
@overload
def load(
    kind: Literal["renewal"], version: str | None = None, *, on: date | None = None
) -> RenewalRubric: ...
@overload
def load(kind: str, version: str | None = None, *, on: date | None = None) -> Rubric: ...
def load(kind: str, version: str | None = None, *, on: date | None = None) -> Rubric:
    """The rubric of ``kind``: ``version`` if given, else the latest in force on ``on``.

    Without ``on`` the latest revision (by effective date, then version) is returned; a given
    ``version`` takes precedence over ``on``.

    Raises:
        NotFound: unknown kind or version, or no revision in force on ``on``.
        ValidationFailed: a rubric file is malformed.
    """
    if kind not in KINDS:
        raise NotFound(f"未知的评分细则类别“{kind}”，应为 selection（附件1）或 renewal（附件4）")
    label = KIND_LABELS[kind]
    candidates = [r for r in _catalog() if r.kind == kind]
    if version is not None:
        hits = [r for r in candidates if r.version == version]
        if not hits:
            known = "、".join(r.version for r in candidates) or "无"
            raise NotFound(f"没有版本为“{version}”的{label}（已有版本：{known}）")
        return _fresh(hits[0])
    if on is not None:
        candidates = [r for r in candidates if r.effective <= on]
    if not candidates:
        when = f"在 {on.isoformat()} 已生效的" if on is not None else ""
        raise NotFound(f"没有{when}{label}评分细则文件（目录：{rubrics_dir()}）")
    return _fresh(candidates[-1])


def by_id(rubric_id: str) -> Rubric:
    """The rubric a case was graded under, from the id stored with it (``renewal-2025.1``).

    A case keeps its rubric: a later revision (another pass mark, another point step) does
    not change how a case scored under an earlier one is read (REN-05, REN-07).

    Raises:
        NotFound: no rubric file has that id.
    """
    kind, _, version = str(rubric_id).partition("-")
    rubric = load(kind, version or None)
    if rubric.id != rubric_id:
        raise NotFound(f"没有编号为“{rubric_id}”的评分细则文件")
    return rubric
