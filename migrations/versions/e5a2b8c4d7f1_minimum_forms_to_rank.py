"""the minimum number of forms for a unit to be ranked among the units of its kind

Revision ID: e5a2b8c4d7f1
Revises: f2a6c8d41b37
Create Date: 2026-12-03 07:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a2b8c4d7f1'
down_revision = 'f2a6c8d41b37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rank_min_forms', sa.Integer(), server_default='30', nullable=False))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('rank_min_forms')
