"""self-assessment reminders

Revision ID: d4a8c2e6f1b3
Revises: fa72042b676d
Create Date: 2026-12-03 10:35:00.000000

When the officer last recorded a reminder sent to a unit that had not submitted its
self-assessment (the reminder itself goes through the officer's own channels).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a8c2e6f1b3'
down_revision = "fa72042b676d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
