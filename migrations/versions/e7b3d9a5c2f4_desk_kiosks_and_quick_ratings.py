"""desk kiosks and quick ratings

Revision ID: e7b3d9a5c2f4
Revises: e1f3a5c7b9d2
Create Date: 2026-12-03 14:10:00.000000

A desk device may be a kiosk: registered for one campaign's questionnaire at one unit, with
an optional quick rating and counter field. Quick ratings are kept in their own table.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b3d9a5c2f4'
down_revision = 'e1f3a5c7b9d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('desk_devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('questionnaire_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('has_quick_rating', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('counters', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_desk_devices_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_desk_devices_campaign_id_campaigns'), 'campaigns', ['campaign_id'], ['id'], ondelete='CASCADE'
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_desk_devices_questionnaire_id_questionnaires'), 'questionnaires', ['questionnaire_id'], ['id']
        )
        batch_op.create_foreign_key(batch_op.f('fk_desk_devices_unit_id_units'), 'units', ['unit_id'], ['id'])

    op.create_table(
        'quick_ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('rating', sa.SmallInteger(), nullable=False),
        sa.Column('comment', sa.String(length=500), nullable=True),
        sa.Column('counter', sa.SmallInteger(), nullable=True),
        sa.Column('answered_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_quick_ratings_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_quick_ratings_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quick_ratings')),
    )
    with op.batch_alter_table('quick_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quick_ratings_campaign_id'), ['campaign_id'], unique=False)


def downgrade():
    with op.batch_alter_table('quick_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quick_ratings_campaign_id'))
    op.drop_table('quick_ratings')
    with op.batch_alter_table('desk_devices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_desk_devices_unit_id_units'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_desk_devices_questionnaire_id_questionnaires'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_desk_devices_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_desk_devices_campaign_id'))
        batch_op.drop_column('counters')
        batch_op.drop_column('has_quick_rating')
        batch_op.drop_column('unit_id')
        batch_op.drop_column('questionnaire_id')
        batch_op.drop_column('campaign_id')
