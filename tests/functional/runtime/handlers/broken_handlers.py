"""Handler paths that must be refused at start-up."""

NOT_CALLABLE = 42
