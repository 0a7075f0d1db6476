"""PAR criteria sets as stored versions, and the assessment rounds that use them

Revision ID: f2a6c8d41b37
Revises: d3f1a7c9e2b4
Create Date: 2026-12-03 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2a6c8d41b37'
down_revision = 'd3f1a7c9e2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'criteria_sets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('content_digest', sa.String(length=64), nullable=False),
        sa.Column('source', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_criteria_sets')),
        sa.UniqueConstraint('code', 'version', name='uq_criteria_sets_code_version'),
    )
    op.create_table(
        'assessment_rounds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('criteria_set_id', sa.Integer(), nullable=False),
        sa.Column('parent_unit_id', sa.Integer(), nullable=False),
        sa.Column(
            'stage',
            sa.Enum('preparing', 'self_assessment', name='roundstage', native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column('self_assessment_opens_on', sa.Date(), nullable=False),
        sa.Column('self_assessment_due_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ['criteria_set_id'], ['criteria_sets.id'], name=op.f('fk_assessment_rounds_criteria_set_id_criteria_sets')
        ),
        sa.ForeignKeyConstraint(['parent_unit_id'], ['units.id'], name=op.f('fk_assessment_rounds_parent_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_rounds')),
    )


def downgrade():
    op.drop_table('assessment_rounds')
    op.drop_table('criteria_sets')
