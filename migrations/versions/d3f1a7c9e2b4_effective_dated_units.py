"""effective-dated units: a code names one current unit, not one unit for ever

Revision ID: d3f1a7c9e2b4
Revises: c4e8a1f07b26
Create Date: 2026-12-02 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3f1a7c9e2b4'
down_revision = 'c4e8a1f07b26'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_until', sa.Date(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_units_code'), type_='unique')
        batch_op.create_index(
            'uq_units_current_code',
            ['code'],
            unique=True,
            sqlite_where=sa.text('valid_until IS NULL'),
            postgresql_where=sa.text('valid_until IS NULL'),
        )


def downgrade():
    # Refused while a code names several units: there is no one row to keep.
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index('uq_units_current_code')
        batch_op.create_unique_constraint(batch_op.f('uq_units_code'), ['code'])
        batch_op.drop_column('valid_until')
        batch_op.drop_column('valid_from')
