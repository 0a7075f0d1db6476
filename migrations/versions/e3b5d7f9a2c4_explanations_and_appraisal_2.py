"""explanations and appraisal 2

Revision ID: e3b5d7f9a2c4
Revises: c7e9a2d4f6b8
Create Date: 2026-12-03 10:30:26.130411

The units' explanations (*giải trình*) of items after appraisal 1 (proposed points, text,
evidence cited) with appraisal 2's decision on each; the explanation due date of a round, and
when a unit submitted its explanation. The round's new stages (explanation, appraisal 2,
closed) are values of its non-native enum column: no schema change.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3b5d7f9a2c4'
down_revision = 'c7e9a2d4f6b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('explanations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('proposed_points', sa.Double(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('explained_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.Enum('accepted', 'kept', 'changed', name='reappraisal', native_enum=False, length=20), nullable=True),
    sa.Column('decided_points', sa.Double(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['self_assessments.id'], name=op.f('fk_explanations_assessment_id_self_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_explanations_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_explanations')),
    sa.UniqueConstraint('assessment_id', 'code', name='uq_explanations_assessment_id_code')
    )
    op.create_table('explanation_evidence',
    sa.Column('explanation_id', sa.Integer(), nullable=False),
    sa.Column('evidence_file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_file_id'], ['evidence_files.id'], name=op.f('fk_explanation_evidence_evidence_file_id_evidence_files')),
    sa.ForeignKeyConstraint(['explanation_id'], ['explanations.id'], name=op.f('fk_explanation_evidence_explanation_id_explanations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('explanation_id', 'evidence_file_id', name=op.f('pk_explanation_evidence'))
    )
    with op.batch_alter_table('assessment_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation_due_on', sa.Date(), nullable=True))
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation_submitted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_column('explanation_submitted_at')
    with op.batch_alter_table('assessment_rounds', schema=None) as batch_op:
        batch_op.drop_column('explanation_due_on')
    op.drop_table('explanation_evidence')
    op.drop_table('explanations')
