"""The domain core: the notice's rules, the working-day calendar, filing terms, identifiers,
reference tables, rubrics, the lifecycle (named states and guards), scoring, the one problems
table every validator refuses with (``problems``) and the evidence drawn from an institution's
data.

Plain Python over dataclasses and DataFrames: nothing here imports storage, widgets or export
libraries (``tests/test_imports.py`` keeps it so).
"""
