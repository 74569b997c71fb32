"""protected health information encrypted at rest; the date of birth found by a keyed
hash; a rejected request's personal data can be deleted (nullable columns, purged_at)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00

"""
import warnings

from alembic import op
from alembic.util import CommandError
import sqlalchemy as sa

from sqlalchemy.ext.compiler import compiles

import crypto


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


# Reviewed by hand.  The columns below hold Fernet tokens from now on (crypto.py); the
# rows already there are encrypted here, in batches, with the app's keys (`flask db
# upgrade` runs in the app's context: PORTAL_DATA_KEYS), and decrypted again by the
# downgrade.  On SQLite the changed tables are copied (batch mode; env.py turns foreign
# keys off meanwhile, else the copy's DROP would cascade): afterwards the old plain text
# may survive in the file's free pages until `flask --app app vacuum` (VACUUM).
BATCH = 500
ENCRYPTED = {   # table -> {column: its type before this revision}
    'enrollment_request': {
        'date_of_birth': sa.Date(), 'insurance_carrier': sa.String(120),
        'insurance_member_id': sa.String(40), 'insurance_group': sa.String(40),
        'subscriber_name': sa.String(120), 'subscriber_relationship': sa.String(20),
        'claim_street': sa.String(120), 'claim_line2': sa.String(120),
        'claim_city': sa.String(80), 'claim_state': sa.String(2),
        'claim_zip': sa.String(10), 'step_values': sa.JSON()},
    'appointment_request': {'reason': sa.String(500)},
    'draft': {'data': sa.JSON(), 'clean': sa.JSON()},
    'outbox_message': {'body_text': sa.Text(), 'body_html': sa.Text()},
    'info_request': {'message': sa.String(2000)},
    'enrollment_decision': {'note': sa.String(1000)},
    'appointment_decision': {'note': sa.String(1000)},
}
# NULL once a rejected request's personal data is deleted (enrollment/retention.py).
PERSONAL = {
    'enrollment_request': {
        'first_name': sa.String(60), 'middle_name': sa.String(60),
        'last_name': sa.String(60), 'street': sa.String(120), 'line2': sa.String(120),
        'city': sa.String(80), 'state': sa.String(2), 'zip_code': sa.String(10),
        'phone': sa.String(20), 'email': sa.String(254),
        **{c: t for c, t in ENCRYPTED['enrollment_request'].items() if c != 'step_values'}},
    'appointment_request': {'reason': sa.String(500)},
}
# The expression indexes SQLite cannot reflect, so a batch copy would lose them: dropped
# before the copy and made again after it (as 0007 and 0008 made them).
EXPRESSION_INDEXES = {'ix_request_last_name': ('last_name', True),
                      'ix_request_first_name': ('first_name', True),
                      'ix_request_email': ('email', True),
                      'ix_request_email_any': ('email', False)}


class _SQLiteDate(sa.String):
    """DATE as SQLite declares it, for the downgrade's copy: a batch copy CASTs a value
    whose type changes affinity, and CAST('1984-05-17' AS DATE) is 1984 (NUMERIC).  As a
    String, the ISO text is copied as it is, as sa.Date had stored it."""
    cache_ok = True


@compiles(_SQLiteDate, 'sqlite')
def _sqlite_date(_element, _compiler, **_kw):
    return 'DATE'


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _drop_expression_indexes() -> None:
    if _sqlite():
        for name in EXPRESSION_INDEXES:
            op.drop_index(name, table_name='enrollment_request')


def _create_expression_indexes() -> None:
    if not _sqlite():
        return
    for name, (column, per_practice) in EXPRESSION_INDEXES.items():
        columns = ['practice_id', sa.text(f'lower({column})'), 'created_at', 'id'] \
            if per_practice else [sa.text(f'lower({column})')]
        op.create_index(name, 'enrollment_request', columns)


def _alter(table: str, encrypted: bool) -> None:
    """The table's columns as Text and nullable (encrypted) or back as they were."""
    postgres = op.get_bind().dialect.name == 'postgresql'
    personal = PERSONAL.get(table, {})
    columns = {**personal, **ENCRYPTED[table]}
    # The table alone (its foreign keys need only the referred tables' names): following
    # them would reflect tables whose expression indexes SQLite cannot reflect.
    with warnings.catch_warnings(), op.batch_alter_table(
            table, reflect_kwargs={'resolve_fks': False}) as batch:
        warnings.filterwarnings('ignore', 'Skipped unsupported reflection',
                                sa.exc.SAWarning)
        for column, old in columns.items():
            is_encrypted = column in ENCRYPTED[table]
            nullable_before = column == 'step_values'
            nullable_after = nullable_before or column in personal
            new_type = sa.Text() if is_encrypted else old
            if not postgres and isinstance(old, sa.Date):
                old = _SQLiteDate()
            target, current = (new_type, old) if encrypted else (old, new_type)
            using = {}
            if postgres and target.__class__ is not current.__class__:
                cast = {sa.Date: 'date', sa.JSON: 'json'}.get(type(target), 'text')
                using = {'postgresql_using': f'{column}::{cast}'}
            batch.alter_column(column, type_=target, existing_type=current,
                               nullable=nullable_after if encrypted else nullable_before,
                               **using)


def _rows(table: str, columns: list[str]):
    """(id, values...) of every row, BATCH at a time, by primary key."""
    bind, pk = op.get_bind(), 'id'
    last = None
    listed = ', '.join([pk] + columns)
    while True:
        where = '' if last is None else f' WHERE {pk} > :last'
        batch = bind.execute(sa.text(f'SELECT {listed} FROM {table}{where} ORDER BY {pk} '
                                     f'LIMIT {BATCH}'),
                             {} if last is None else {'last': last}).all()
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def _is_token(keys: crypto.Keys, value: str) -> bool:
    try:
        keys.decrypt(value)
    except (crypto.InvalidToken, ValueError, UnicodeError):
        return False
    return True


def _rewrite(table: str, change) -> int:
    """Every non-empty value of the table's encrypted columns through `change`
    (None: leave it); the number of rows changed."""
    columns = list(ENCRYPTED[table])
    changed = 0
    for batch in _rows(table, columns):
        for row in batch:
            values = {}
            for column, value in zip(columns, row[1:]):
                if value not in (None, ''):
                    new = change(table, column, str(value))
                    if new is not None:
                        values[column] = new
            if values:
                sets = ', '.join(f'{c} = :{c}' for c in values)
                op.get_bind().execute(sa.text(f'UPDATE {table} SET {sets} WHERE id = :id'),
                                      {**values, 'id': row[0]})
                changed += 1
    return changed


def _index_birth_dates(keys: crypto.Keys) -> None:
    for batch in _rows('enrollment_request', ['date_of_birth']):
        for row_id, born in batch:
            if born not in (None, '') and not _is_token(keys, str(born)):
                op.get_bind().execute(sa.text(
                    'UPDATE enrollment_request SET dob_hash = :h WHERE id = :id'),
                    {'h': keys.index(str(born)[:10]), 'id': row_id})


def upgrade():
    keys = crypto.keys()
    op.drop_index('ix_request_dob', table_name='enrollment_request')
    _drop_expression_indexes()
    op.add_column('enrollment_request', sa.Column('dob_hash', sa.String(64), nullable=True))
    op.add_column('enrollment_request', sa.Column('purged_at', sa.DateTime(), nullable=True))
    for table in ENCRYPTED:
        if table != 'outbox_message':   # already Text, NOT NULL stays
            _alter(table, encrypted=True)
    _create_expression_indexes()
    _index_birth_dates(keys)

    def encrypt(_table, _column, value):
        return None if _is_token(keys, value) else keys.encrypt(value)
    changed = sum(_rewrite(table, encrypt) for table in ENCRYPTED)
    op.create_index('ix_request_dob_hash', 'enrollment_request',
                    ['practice_id', 'dob_hash', 'created_at', 'id'])
    if changed and _sqlite():
        print(f'0015: {changed} row(s) encrypted. Their plain text may survive in free '
              'pages of the SQLite file: run `flask --app app vacuum` now (README, '
              '"Protected health information at rest").')


def _refuse_purged() -> None:
    purged = op.get_bind().execute(sa.text(
        'SELECT COUNT(*) FROM enrollment_request WHERE purged_at IS NOT NULL')).scalar()
    if purged:
        raise CommandError(
            f'Cannot downgrade below revision 0015: {purged} rejected request(s) had their '
            'personal data deleted (retention), and the columns before 0015 cannot be '
            'empty. Deleted data cannot come back; stay at 0015 or later.')


def downgrade():
    _refuse_purged()
    keys = crypto.keys()

    def decrypt(table, column, value):
        try:
            return keys.decrypt(value)
        except crypto.InvalidToken:
            raise CommandError(f'Cannot downgrade below revision 0015: a value of '
                               f'{table}.{column} does not decrypt with PORTAL_DATA_KEYS '
                               f'(is a key missing?)') from None
    for table in ENCRYPTED:
        _rewrite(table, decrypt)
    op.drop_index('ix_request_dob_hash', table_name='enrollment_request')
    _drop_expression_indexes()
    for table in ENCRYPTED:
        if table != 'outbox_message':
            _alter(table, encrypted=False)
    op.drop_column('enrollment_request', 'purged_at')
    op.drop_column('enrollment_request', 'dob_hash')
    _create_expression_indexes()
    op.create_index('ix_request_dob', 'enrollment_request', ['practice_id', 'date_of_birth'])
