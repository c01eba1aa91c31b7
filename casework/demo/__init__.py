"""``casework demo``: a realistic synthetic province built only through the registry's commands.

All 16 cities, a few hundred institutions with plausible names and valid Shandong credit
codes, filings taken over from the 2023 pilot, the 2025–2026 calls, renewal rounds, exits and
supervision — every record made by the same commands a user runs, so the demo obeys every rule
and leaves a complete, verifiable audit trail. Everything in it is invented (DEMO DATA).
"""

from casework.demo.build import build_demo

__all__ = ["build_demo"]
