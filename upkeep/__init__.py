"""Keeping patients' data safe over time, from the command line: `keys` (new, rotate,
reindex), `purge` (retention, cron hourly; `purge-drafts` is its old name) and
`vacuum` (after the migration that encrypted existing rows).

Above admin/, account/ and enrollment/ (it reaches every table: retention spans them,
rotation walks every model's encrypted columns), below app.py, which registers it."""


def init_app(app) -> None:
    from .cli import keys_group, purge, purge_drafts, vacuum
    for command in (keys_group, purge, purge_drafts, vacuum):
        app.cli.add_command(command)
