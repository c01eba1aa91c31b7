"""The small city history of the document tests (tests/documents/world.py), one copy per
module."""

from tests.documents.world import world as world
