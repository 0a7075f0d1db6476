"""limit counts found by their primary key only: no index on the minute

Revision ID: d8a4c2e6f0b1
Revises: c3e5a7b9d1f2
Create Date: 2026-12-04 15:30:00.000000

PostgreSQL's generic plan of the prepared counting statements preferred the minute's index
to the primary key, and read every source's rows of the hour to count one source. Only the
occasional pruning of rows older than a day used it; it reads the table instead.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd8a4c2e6f0b1'
down_revision = 'c3e5a7b9d1f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('limit_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_limit_counts_bucket'))


def downgrade():
    with op.batch_alter_table('limit_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_limit_counts_bucket'), ['bucket'], unique=False)
