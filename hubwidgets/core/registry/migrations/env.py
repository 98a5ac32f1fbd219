"""Alembic's environment for the registry schema, configured by the registry itself.

There is no alembic.ini: :func:`hubwidgets.core.registry.store.upgrade` builds the config in
code and hands over an open connection (``config.attributes["connection"]``), so a migration
runs on the very database the registry opened, inside the registry's lock. To write a new
revision, copy the newest file under ``versions/`` (``down_revision`` = its ``revision``); never
edit a revision that has shipped, since registries out there are already at it.
"""

from alembic import context

connection = context.config.attributes["connection"]
# batch mode: SQLite can alter a table only by copying it, and alembic does that in batch ops
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
