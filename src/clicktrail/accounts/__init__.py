"""Dashboard accounts: users, their workspaces and roles, sessions and sign-in throttling."""
