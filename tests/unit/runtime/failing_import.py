"""A handler module whose import fails, as one with a broken dependency would."""

raise RuntimeError("database driver missing")
