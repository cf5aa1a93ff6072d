"""first review of a card

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 15:23:19.247263

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_review", sa.DateTime(timezone=True), nullable=True))
    # Cards are a projection: fill the new column from the attempts it folds.
    op.execute(
        "UPDATE cards SET first_review = (SELECT MIN(a.answered_at) FROM attempts a "
        "WHERE a.user_id = cards.user_id AND a.template_id = cards.template_id "
        "AND a.status IN ('correct', 'incorrect')) WHERE reviews > 0"
    )


def downgrade():
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_column("first_review")
