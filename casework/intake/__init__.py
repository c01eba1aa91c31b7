"""Data intake: institutions' data from csv and xlsx files, validated, all or nothing.

Seven kinds (:data:`KINDS`): 机构名录, 人员花名册, 场地, 考核题库, 考核批次, 考生成绩, 证书发放 —
each with a downloadable template (:func:`template`). :func:`import_file` reads a file, validates
it lazily with the kind's pandera model and refuses it with every problem at once (行, 列, 值,
要求, 规则) or stores it as one registry command; importing the same rows twice adds nothing.
"""

from casework.intake.importer import ImportResult, import_file
from casework.intake.kinds import KINDS, Kind, kind_of
from casework.intake.readers import read_table
from casework.intake.templates import template, write_template
from casework.intake.validate import check_frame

__all__ = [
    "KINDS",
    "ImportResult",
    "Kind",
    "check_frame",
    "import_file",
    "kind_of",
    "read_table",
    "template",
    "write_template",
]
