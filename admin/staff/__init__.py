"""Staff accounts: sign-in (routes_signin), the practice's staff page with invitations
and resets (routes, invitations), the links people reach from an email, and the
`staff` CLI."""
