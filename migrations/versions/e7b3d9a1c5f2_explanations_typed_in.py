"""explanations typed in

Revision ID: e7b3d9a1c5f2
Revises: d4a8c2e6f1b3
Create Date: 2026-12-03 13:50:00.000000

Who typed in a unit's explanation received on paper: the officer per item explained, and the
officer who submitted it on the unit's behalf, with a note of how it was received.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b3d9a1c5f2'
down_revision = "d4a8c2e6f1b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('explanations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('typed_in_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_explanations_typed_in_by_id_users'), 'users', ['typed_in_by_id'], ['id'], ondelete='SET NULL'
        )
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation_typed_in_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('explanation_typed_in_note', sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_self_assessments_explanation_typed_in_by_id_users'),
            'users',
            ['explanation_typed_in_by_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_self_assessments_explanation_typed_in_by_id_users'), type_='foreignkey')
        batch_op.drop_column('explanation_typed_in_note')
        batch_op.drop_column('explanation_typed_in_by_id')
    with op.batch_alter_table('explanations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_explanations_typed_in_by_id_users'), type_='foreignkey')
        batch_op.drop_column('typed_in_by_id')
