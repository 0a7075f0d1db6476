"""self assessments of units

Revision ID: a3d5f7b9c1e2
Revises: f2c8d4e6a1b3
Create Date: 2026-12-03 07:55:00.000000

A row per round × assessed unit, made when self-assessment opens (it freezes the round's
units); the points, explanation and reason per self-assessed item; the evidence each cites.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3d5f7b9c1e2'
down_revision = 'f2c8d4e6a1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('self_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', name='selfassessmentstatus', native_enum=False, length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_reason', sa.Text(), nullable=True),
    sa.Column('typed_in_by_id', sa.Integer(), nullable=True),
    sa.Column('typed_in_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['assessment_rounds.id'], name=op.f('fk_self_assessments_round_id_assessment_rounds')),
    sa.ForeignKeyConstraint(['typed_in_by_id'], ['users.id'], name=op.f('fk_self_assessments_typed_in_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_self_assessments_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessments')),
    sa.UniqueConstraint('round_id', 'unit_id', name='uq_self_assessments_round_id_unit_id')
    )
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessments_round_id'), ['round_id'], unique=False)
    op.create_table('self_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('points', sa.Double(), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('no_evidence_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['self_assessments.id'], name=op.f('fk_self_scores_assessment_id_self_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_scores')),
    sa.UniqueConstraint('assessment_id', 'code', name='uq_self_scores_assessment_id_code')
    )
    op.create_table('self_score_evidence',
    sa.Column('self_score_id', sa.Integer(), nullable=False),
    sa.Column('evidence_file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_file_id'], ['evidence_files.id'], name=op.f('fk_self_score_evidence_evidence_file_id_evidence_files')),
    sa.ForeignKeyConstraint(['self_score_id'], ['self_scores.id'], name=op.f('fk_self_score_evidence_self_score_id_self_scores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('self_score_id', 'evidence_file_id', name=op.f('pk_self_score_evidence'))
    )


def downgrade():
    op.drop_table('self_score_evidence')
    op.drop_table('self_scores')
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessments_round_id'))
    op.drop_table('self_assessments')
