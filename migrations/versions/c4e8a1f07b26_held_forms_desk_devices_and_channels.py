"""held forms, desk devices and the channels of a campaign

Revision ID: c4e8a1f07b26
Revises: b7d41e2a9c30
Create Date: 2026-12-02 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f07b26'
down_revision = 'b7d41e2a9c30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'held_forms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('respondent_group', sa.String(length=40), nullable=False),
        sa.Column('procedure_field', sa.String(length=120), nullable=True),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('unit_answers', sa.JSON(), nullable=False),
        sa.Column('source_tag', sa.String(length=8), nullable=False),
        sa.Column('received_hour', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seconds_taken', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_held_forms_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_held_forms_questionnaire_id_questionnaires')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_held_forms_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_held_forms')),
    )
    with op.batch_alter_table('held_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_forms_campaign_id'), ['campaign_id'], unique=False)

    op.create_table(
        'desk_devices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('token_digest', sa.String(length=64), nullable=False),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_devices')),
        sa.UniqueConstraint('token_digest', name=op.f('uq_desk_devices_token_digest')),
    )

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_qr_closed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('qr_closed_groups', sa.JSON(), nullable=True))
    campaigns = sa.table('campaigns', sa.column('qr_closed_groups', sa.JSON()))
    op.execute(campaigns.update().values(qr_closed_groups=[]))
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.alter_column('qr_closed_groups', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('qr_closed_groups')
        batch_op.drop_column('is_qr_closed')

    op.drop_table('desk_devices')
    with op.batch_alter_table('held_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_held_forms_campaign_id'))

    op.drop_table('held_forms')
