"""pending sign-ups: accounts wait for their owner to follow the mailed link

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_signups")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pending_signups_token_hash")),
    )
    with op.batch_alter_table("pending_signups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_signups_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pending_signups_expires_at"), ["expires_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("pending_signups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_signups_expires_at"))
        batch_op.drop_index(batch_op.f("ix_pending_signups_email"))
    op.drop_table("pending_signups")
