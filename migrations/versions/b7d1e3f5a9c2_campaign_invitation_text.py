"""campaign invitation text

Revision ID: b7d1e3f5a9c2
Revises: e7b3d9a5c2f4
Create Date: 2026-12-03 14:45:00.000000

The message sent to sampled people with their single-use link (empty: the default text).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d1e3f5a9c2'
down_revision = 'e7b3d9a5c2f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_text', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('invitation_text')
