"""The registry's first schema: one append-only table of events.

Every change (register, alias set or unset, stage set, deprecate) is a new row; nothing is ever
updated or deleted. The current state of an entry is its newest state row, the target of an
alias is its newest alias row (see ``hubwidgets.core.registry.store``).

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_events",
        # BIGINT on PostgreSQL, INTEGER (the rowid alias, autoincrementing) on SQLite
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("model", sa.String(256), nullable=False),
        sa.Column("revision", sa.String(64), nullable=False),
        sa.Column("requested_revision", sa.String(256)),
        sa.Column("alias", sa.String(128)),
        sa.Column("stage", sa.String(32)),
        sa.Column("license", sa.String(128)),
        sa.Column("license_class", sa.String(64)),
        sa.Column("verdict", sa.String(16)),
        sa.Column("note", sa.Text()),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("actor_source", sa.String(64)),
        sa.Column("endpoint", sa.String(512)),
    )
    op.create_index("ix_registry_events_alias", "registry_events", ["alias", "id"])
    op.create_index("ix_registry_events_entry", "registry_events", ["model", "revision", "id"])


def downgrade() -> None:
    op.drop_index("ix_registry_events_entry", table_name="registry_events")
    op.drop_index("ix_registry_events_alias", table_name="registry_events")
    op.drop_table("registry_events")
