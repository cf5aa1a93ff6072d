"""events by owner and clock: a web page's event follows the owner's latest clock

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 23:45:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_owner_id_hlc", ["owner_id", "hlc"], unique=False)


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_owner_id_hlc")
