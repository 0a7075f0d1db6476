"""appraisers and appraisal scores

Revision ID: c7e9a2d4f6b8
Revises: a7c3e9f1b2d4
Create Date: 2026-12-03 08:20:00.000000

Appraisers' assignments per round × unit (and area, or all), the points they give each
self-assessed item in appraisal 1 (kept apart from the unit's own), and when a unit's
appraisal 1 was finished.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e9a2d4f6b8'
down_revision = 'a7c3e9f1b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('appraisal_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('points', sa.Double(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('appraised_by_id', sa.Integer(), nullable=True),
    sa.Column('appraised_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appraised_by_id'], ['users.id'], name=op.f('fk_appraisal_scores_appraised_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assessment_id'], ['self_assessments.id'], name=op.f('fk_appraisal_scores_assessment_id_self_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisal_scores')),
    sa.UniqueConstraint('assessment_id', 'code', name='uq_appraisal_scores_assessment_id_code')
    )
    op.create_table('appraiser_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('appraiser_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['appraiser_id'], ['users.id'], name=op.f('fk_appraiser_assignments_appraiser_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['assessment_rounds.id'], name=op.f('fk_appraiser_assignments_round_id_assessment_rounds')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_appraiser_assignments_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appraiser_assignments')),
    sa.UniqueConstraint('round_id', 'appraiser_id', 'unit_id', 'area_code', name='uq_appraiser_assignments_round_id_appraiser_id')
    )
    with op.batch_alter_table('appraiser_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appraiser_assignments_round_id'), ['round_id'], unique=False)
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appraisal_finished_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_column('appraisal_finished_at')
    with op.batch_alter_table('appraiser_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appraiser_assignments_round_id'))
    op.drop_table('appraiser_assignments')
    op.drop_table('appraisal_scores')
