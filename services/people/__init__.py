"""Staff: the registry, sign-in, and staff shown by name."""
