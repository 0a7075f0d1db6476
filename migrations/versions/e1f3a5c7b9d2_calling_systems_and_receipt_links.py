"""calling systems and receipt links

Revision ID: e1f3a5c7b9d2
Revises: e7b3d9a1c5f2
Create Date: 2026-12-03 14:00:00.000000

The one-stop system's API: the systems allowed to ask for survey links (a digest of their
bearer token, their campaign's questionnaire and units) and each dossier's receipt link,
known only by a keyed digest, in a table without row id (its storage order is its digests').
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f3a5c7b9d2'
down_revision = 'e7b3d9a1c5f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calling_systems',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('token_digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['campaign_id'], ['campaigns.id'], name=op.f('fk_calling_systems_campaign_id_campaigns'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_calling_systems_questionnaire_id_questionnaires')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calling_systems')),
        sa.UniqueConstraint('token_digest', name=op.f('uq_calling_systems_token_digest')),
    )
    with op.batch_alter_table('calling_systems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calling_systems_campaign_id'), ['campaign_id'], unique=False)

    op.create_table(
        'calling_system_units',
        sa.Column('calling_system_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['calling_system_id'],
            ['calling_systems.id'],
            name=op.f('fk_calling_system_units_calling_system_id_calling_systems'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['unit_id'], ['units.id'], name=op.f('fk_calling_system_units_unit_id_units'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('calling_system_id', 'unit_id', name=op.f('pk_calling_system_units')),
    )
    op.create_table(
        'receipt_links',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('procedure_field', sa.String(length=120), nullable=True),
        sa.Column('procedure', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ['campaign_id'], ['campaigns.id'], name=op.f('fk_receipt_links_campaign_id_campaigns'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_receipt_links_questionnaire_id_questionnaires')
        ),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_receipt_links_unit_id_units')),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_receipt_links')),
        sqlite_with_rowid=False,
    )


def downgrade():
    op.drop_table('receipt_links')
    op.drop_table('calling_system_units')
    with op.batch_alter_table('calling_systems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calling_systems_campaign_id'))
    op.drop_table('calling_systems')
