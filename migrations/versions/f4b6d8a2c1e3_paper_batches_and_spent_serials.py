"""paper batches and spent serials

Revision ID: f4b6d8a2c1e3
Revises: b7d1e3f5a9c2
Create Date: 2026-12-03 15:10:00.000000

Batches of numbered paper forms printed per unit, and the keyed digests of serials typed in.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4b6d8a2c1e3'
down_revision = 'b7d1e3f5a9c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'paper_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('respondent_group', sa.String(length=40), nullable=True),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('forms', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['campaign_id'], ['campaigns.id'], name=op.f('fk_paper_batches_campaign_id_campaigns'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_paper_batches_questionnaire_id_questionnaires')
        ),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_paper_batches_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_batches')),
        sa.UniqueConstraint('campaign_id', 'number', name=op.f('uq_paper_batches_campaign_id')),
    )
    with op.batch_alter_table('paper_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_batches_campaign_id'), ['campaign_id'], unique=False)

    op.create_table(
        'spent_serials',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_spent_serials')),
        sqlite_with_rowid=False,
    )


def downgrade():
    op.drop_table('spent_serials')
    with op.batch_alter_table('paper_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_batches_campaign_id'))
    op.drop_table('paper_batches')
