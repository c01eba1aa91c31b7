"""Alembic environment: runs on the connection casework hands it (see casework.store.migrate)."""

from alembic import context

from casework.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
