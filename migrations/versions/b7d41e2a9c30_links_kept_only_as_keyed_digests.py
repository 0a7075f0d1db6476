"""links kept only as keyed digests; spent links apart; receipts without row order

Revision ID: b7d41e2a9c30
Revises: 5b7e2c41d9a3
Create Date: 2026-12-01 19:40:00.000000

"""
import hashlib
import hmac

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = 'b7d41e2a9c30'
down_revision = '5b7e2c41d9a3'
branch_labels = None
depends_on = None


def _entry_digest(token):
    """The digest ``surveyapp.services.samples.link_digest`` gives for the "link-entry" purpose."""
    key = hmac.new(current_app.config['SECRET_KEY'].encode(), b'link-entry', hashlib.sha256).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def _rebuild_receipts(with_rowid):
    """SQLite only: the receipts table again, with or without its row id (which follows arrival order)."""
    option = '' if with_rowid else ' WITHOUT ROWID'
    op.execute(
        'CREATE TABLE _submission_receipts_new (key_digest VARCHAR(64) NOT NULL, received_on DATE NOT NULL, '
        f'CONSTRAINT pk_submission_receipts PRIMARY KEY (key_digest)){option}'
    )
    op.execute('INSERT INTO _submission_receipts_new SELECT key_digest, received_on FROM submission_receipts')
    op.execute('DROP TABLE submission_receipts')
    op.execute('ALTER TABLE _submission_receipts_new RENAME TO submission_receipts')


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('sample_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_digest', sa.String(length=64), nullable=True))
    entries = sa.table('sample_entries', sa.column('id', sa.Integer), sa.column('access_token', sa.String),
                       sa.column('link_digest', sa.String))
    tokens = bind.execute(sa.select(entries.c.id, entries.c.access_token).where(entries.c.access_token.is_not(None)))
    for entry_id, token in tokens.all():
        bind.execute(entries.update().where(entries.c.id == entry_id).values(link_digest=_entry_digest(token)))
    with op.batch_alter_table('sample_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_sample_entries_access_token'), type_='unique')
        batch_op.drop_column('access_token')
        batch_op.create_unique_constraint(batch_op.f('uq_sample_entries_link_digest'), ['link_digest'])

    op.create_table(
        'spent_links',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('digest', name=op.f('pk_spent_links')),
        sqlite_with_rowid=False,
    )
    if bind.dialect.name == 'sqlite':
        _rebuild_receipts(with_rowid=False)


def downgrade():
    # Tokens cannot be recovered from their digests: links issued before are lost.
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_receipts(with_rowid=True)
    op.drop_table('spent_links')
    with op.batch_alter_table('sample_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_sample_entries_link_digest'), type_='unique')
        batch_op.drop_column('link_digest')
        batch_op.add_column(sa.Column('access_token', sa.String(length=43), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_sample_entries_access_token'), ['access_token'])
