"""A copy of the shared small city history (tests/documents/world.py) per test module."""

from tests.documents.world import world as world
