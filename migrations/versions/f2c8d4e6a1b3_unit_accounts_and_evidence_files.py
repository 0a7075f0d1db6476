"""unit accounts and evidence files

Revision ID: f2c8d4e6a1b3
Revises: e5a2b8c4d7f1
Create Date: 2026-12-03 07:20:00.000000

An assessed unit's account names its one unit (``users.assessed_unit_id``); the evidence
files that units upload are listed in ``evidence_files`` (their contents live in the
evidence folder, outside the database).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2c8d4e6a1b3'
down_revision = 'e5a2b8c4d7f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessed_unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_assessed_unit_id'), ['assessed_unit_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_users_assessed_unit_id_units'), 'units', ['assessed_unit_id'], ['id']
        )
        batch_op.create_check_constraint(
            'one_assessed_unit_for_unit_accounts',
            "(role = 'unit' AND assessed_unit_id IS NOT NULL) OR (role <> 'unit' AND assessed_unit_id IS NULL)",
        )
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('extension', sa.String(length=10), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_evidence_files_unit_id_units')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_evidence_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files'))
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_files_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_files_unit_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_files_sha256'))
    op.drop_table('evidence_files')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('one_assessed_unit_for_unit_accounts', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_users_assessed_unit_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_assessed_unit_id'))
        batch_op.drop_column('assessed_unit_id')
