"""Identity without knowing who: the argon2id hasher (hashing), the server-side session
table (sessions) and the one Flask-Login user loader (login).  Imports no blueprint."""
