"""The apps: one notebook each, a thin page over one builder in ``casework.ui``.

This table is the single source of the notebooks in ``notebooks/`` (``casework pages write``
regenerates them; a test keeps them in step) and of the index page's list of apps per role.
"""

from __future__ import annotations

from dataclasses import dataclass

from casework.registry.actors import (
    CITY_MANAGER,
    CITY_OFFICER,
    EXPERT,
    INSTITUTION,
    PROVINCE,
)

CITY = (CITY_OFFICER, CITY_MANAGER)


@dataclass(frozen=True)
class Page:
    """One app: its notebook, its builder module and who may open it."""

    notebook: str
    title: str
    module: str
    parameter: str
    roles: tuple[str, ...]
    rules: str
    summary: str


PAGES: tuple[Page, ...] = (
    Page(
        "index",
        "专项职业能力考核机构备案管理",
        "index",
        "",
        (EXPERT, *CITY, PROVINCE, INSTITUTION),
        "",
        "按角色列出可用的应用",
    ),
    Page(
        "call",
        "征集公告",
        "call",
        "call_id",
        CITY,
        "SEL-01, SEL-02",
        "在本市考核项目范围内发布考核机构征集公告",
    ),
    Page(
        "application",
        "备案申请",
        "application",
        "application_id",
        (INSTITUTION, *CITY),
        "SEL-02, SEL-03, SEL-06, SEL-07",
        "考核机构提交申请（或经办人代为录入纸质申请），市级受理或退回补正",
    ),
    Page(
        "institution_data",
        "机构数据",
        "institution_data",
        "institution_id",
        (INSTITUTION, *CITY),
        "SUP-01, ATT5-STATS",
        "下载模板、上传人员花名册、场地、题库、考核批次、成绩和证书数据",
    ),
    Page(
        "selection_panel",
        "遴选评估",
        "selection_panel",
        "panel_id",
        (EXPERT,),
        "SEL-03, SEL-04",
        "评估组成员逐项核验附件1，组长查看评估组意见",
    ),
    Page(
        "notice_filing",
        "公示与备案",
        "notice_filing",
        "application_id",
        CITY,
        "SEL-05, ATT2-TERM",
        "公示拟备案名单、登记异议、备案并生成回执数据",
    ),
    Page(
        "scope",
        "考核范围调整",
        "scope",
        "filing_id",
        CITY,
        "SEL-06, SEL-07",
        "通过申请新增考核项目，或删除考核项目",
    ),
    Page(
        "self_evaluation",
        "续期自评",
        "self_evaluation",
        "renewal_id",
        (INSTITUTION,),
        "REN-02, ATT5-STATS",
        "考核机构填写附件4自评和附件5续期申请",
    ),
    Page(
        "renewal_scoring",
        "续期评估",
        "renewal_scoring",
        "panel_id",
        (EXPERT,),
        "REN-04, REN-05, REN-06, REN-07",
        "续期评估组成员按附件4评分，组长提交附件6",
    ),
    Page(
        "exits",
        "退出",
        "exits",
        "filing_id",
        CITY,
        "EXIT-02, EXIT-03, EXIT-04, EXIT-05, EXIT-06, EXIT-07",
        "自愿撤销、违规处理（含陈述申辩期限）、主体灭失",
    ),
    Page(
        "decisions",
        "研究确定",
        "decisions",
        "case_id",
        CITY,
        "SEL-04, SEL-07, REN-05, REN-06",
        "根据评估组意见研究确定遴选结果（拟备案/不予备案）和续期评估结果",
    ),
    Page(
        "supervision",
        "日常监管",
        "supervision",
        "institution_id",
        CITY,
        "SUP-01, SUP-02",
        "登记监管事项及跟进、办结或转立案调查",
    ),
    Page(
        "province_reports",
        "报送省厅",
        "province_reports",
        "",
        (*CITY, PROVINCE),
        "SEL-08, REN-08",
        "市级报送公示无异议的拟备案机构、范围调整和续期结果，省厅确认收到",
    ),
    Page(
        "catalog_editions",
        "考核机构目录",
        "catalog_editions",
        "",
        (PROVINCE, *CITY),
        "SEL-09",
        "省厅按期发布考核机构目录（新增、范围调整、续期、终止备案），各期可下载",
    ),
    Page(
        "city_projects",
        "本地考核项目目录",
        "city_projects",
        "",
        CITY,
        "SEL-10",
        "根据考核机构备案情况动态调整本地考核项目目录，保留调整记录",
    ),
    Page(
        "certificates",
        "证书维护",
        "certificates",
        "",
        (INSTITUTION, *CITY),
        "EXIT-10, SUP-04",
        "考核机构复核、更正、撤销历史证书数据；市级驳回或认定考核结果不予认可",
    ),
    Page(
        "panels",
        "评估组",
        "panels",
        "",
        CITY,
        "SEL-03, REN-04, SUP-03",
        "维护本市专家库，组建遴选评估组和续期评估组，更换评分前退出的成员",
    ),
    Page(
        "renewal_round",
        "续期轮次",
        "renewal_round",
        "",
        CITY,
        "REN-01, REN-02",
        "选定到期范围发布续期评估通知（按工作日计自评期限），下载通知",
    ),
    Page(
        "users",
        "人员与权限",
        "users",
        "",
        (CITY_MANAGER, PROVINCE),
        "SUP-01",
        "登记、停用用户和调整角色（市级负责人管本市，省级管理管市级负责人）",
    ),
    Page(
        "dashboard_province",
        "全省看板",
        "dashboard_province",
        "",
        (PROVINCE,),
        "SEL-07, REN-02, EXIT-01, EXIT-04",
        "全省考核机构、配额、续期进度、期限、调查与退出、续期结果和机构目录（只读）",
    ),
    Page(
        "dashboard_city",
        "本市看板",
        "dashboard_city",
        "",
        CITY,
        "SEL-07, REN-02, EXIT-01, EXIT-04, SUP-01",
        "本市考核机构、配额、续期进度、期限、调查与退出、续期结果和机构目录（只读）",
    ),
    Page(
        "archive",
        "电子档案",
        "archive",
        "",
        (*CITY, PROVINCE),
        "EXIT-08",
        "按案件、事项、日期和归档人查阅归档报告，校验档案，保存期限与法律保全",
    ),
    Page(
        "institution_history",
        "机构档案",
        "institution_history",
        "institution_id",
        (*CITY, PROVINCE),
        "SUP-01",
        "考核机构的完整经历：申请、备案、范围调整、续期、监管、退出和归档",
    ),
)


def pages_for(role: str) -> tuple[Page, ...]:
    """The apps open to ``role`` (the index page itself excluded)."""
    return tuple(p for p in PAGES if role in p.roles and p.notebook != "index")


def notebook_json(page: Page) -> dict:
    """The notebook for ``page``: a title, a ``parameters``-tagged cell and one call."""
    cells: list[dict] = [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": [f"# {page.title}\n", "\n", page.summary],
        },
    ]
    call = f"{page.module}.app()"
    if page.parameter:
        cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {"tags": ["parameters"]},
                "outputs": [],
                "source": [f"{page.parameter} = None"],
            }
        )
        call = f"{page.module}.app({page.parameter})"
    cells.append(
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [f"from casework.ui import {page.module}\n", "\n", call],
        }
    )
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }


def write_notebooks(folder: str | None = None) -> list[str]:
    """(Re)write every app's notebook, clean: no outputs, no execution counts."""
    import json
    from pathlib import Path

    from casework.paths import REPO_DIR

    target = Path(folder) if folder else REPO_DIR / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for page in PAGES:
        path = target / f"{page.notebook}.ipynb"
        text = json.dumps(notebook_json(page), ensure_ascii=False, indent=1) + "\n"
        path.write_text(text, encoding="utf-8")
        written.append(str(path))
    return written
