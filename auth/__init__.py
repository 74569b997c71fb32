"""Identity without knowing who: the argon2id hasher (hashing), the one sign-in check
with its failure counter (credentials), the server-side session table (sessions), the
one Flask-Login user loader and the "signed in as" guard (login), single-use link
tokens and their digest (tokens), and the clock (clock: utcnow, format_when).

Imports no blueprint: admin/ and account/ register their kind of user with
`login.register_kind`."""


def init_app(app) -> None:
    from .login import init_app as init_login
    init_login(app)
