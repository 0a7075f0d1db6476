"""par index sources and entered points

Revision ID: fa72042b676d
Revises: e3b5d7f9a2c4
Create Date: 2026-12-03 10:29:12.741234

A round's PAR Index: the PAR and SIPAS campaigns it takes survey and SIPAS points from, its
class bounds (empty: the defaults), and the points an officer types in or imports per unit for
the items of other sources and the bonus and penalty items.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fa72042b676d'
down_revision = 'e3b5d7f9a2c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('entered_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('points', sa.Double(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_entered_points_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['assessment_rounds.id'], name=op.f('fk_entered_points_round_id_assessment_rounds')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_entered_points_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entered_points')),
    sa.UniqueConstraint('round_id', 'unit_id', 'code', name='uq_entered_points_round_id_unit_id')
    )
    with op.batch_alter_table('entered_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entered_points_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('assessment_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('par_campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sipas_campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('class_bounds', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assessment_rounds_sipas_campaign_id_campaigns'), 'campaigns', ['sipas_campaign_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_assessment_rounds_par_campaign_id_campaigns'), 'campaigns', ['par_campaign_id'], ['id'])



def downgrade():
    with op.batch_alter_table('assessment_rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessment_rounds_par_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_assessment_rounds_sipas_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_column('class_bounds')
        batch_op.drop_column('sipas_campaign_id')
        batch_op.drop_column('par_campaign_id')

    with op.batch_alter_table('entered_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entered_points_round_id'))

    op.drop_table('entered_points')
