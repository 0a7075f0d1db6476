"""paper batch life: one-time print key, who printed, handed out, returned, voided; matrix batches

Revision ID: c3e5a7b9d1f2
Revises: f4b6d8a2c1e3
Create Date: 2026-12-03 17:05:00.000000

A refreshed print page finds its batch by the form's one-time key instead of printing another;
the officer records per batch how many forms were handed out and came back; a lost or
misprinted batch is voided with a reason; a matrix questionnaire's batch names no unit.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e5a7b9d1f2'
down_revision = 'f4b6d8a2c1e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('paper_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('print_key', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('printed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('handed_out', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('handed_to', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('returned', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.String(length=500), nullable=True))
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_paper_batches_print_key'), ['print_key'])
        batch_op.create_foreign_key(
            batch_op.f('fk_paper_batches_printed_by_id_users'), 'users', ['printed_by_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.create_check_constraint(
            'returned_within_handed_out', '0 <= returned AND returned <= handed_out AND handed_out <= forms'
        )


def downgrade():
    with op.batch_alter_table('paper_batches', schema=None) as batch_op:
        batch_op.drop_constraint('returned_within_handed_out', type_='check')
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_paper_batches_printed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_paper_batches_print_key'), type_='unique')
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_at')
        batch_op.drop_column('returned')
        batch_op.drop_column('handed_to')
        batch_op.drop_column('handed_out')
        batch_op.drop_column('printed_by_id')
        batch_op.drop_column('print_key')
