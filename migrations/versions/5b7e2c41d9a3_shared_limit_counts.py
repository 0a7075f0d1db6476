"""counters of rate limits shared by every worker

Revision ID: 5b7e2c41d9a3
Revises: b7e3c1d2a4f5
Create Date: 2026-12-01 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e2c41d9a3'
down_revision = 'b7e3c1d2a4f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'limit_counts',
        sa.Column('scope', sa.String(length=40), nullable=False),
        sa.Column('identity_digest', sa.String(length=32), nullable=False),
        sa.Column('bucket', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('scope', 'identity_digest', 'bucket', name=op.f('pk_limit_counts')),
    )
    with op.batch_alter_table('limit_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_limit_counts_bucket'), ['bucket'], unique=False)


def downgrade():
    with op.batch_alter_table('limit_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_limit_counts_bucket'))

    op.drop_table('limit_counts')
