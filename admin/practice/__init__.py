"""Practice administration (role admin): the settings, providers and locations, the
audit trail page, and the `practice` CLI."""
