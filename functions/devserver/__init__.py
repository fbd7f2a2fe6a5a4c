"""The local stack: every catalog function behind one gateway, as `make dev` runs it."""
