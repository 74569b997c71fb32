"""Staff accounts: sign-in (routes_signin: the password; routes_mfa and mfa: the second
factor, its enrollment and recovery codes), the practice's staff page with invitations
and resets (routes, invitations), the links people reach from an email, and the
`staff` CLI."""
