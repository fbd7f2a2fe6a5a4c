"""Build tools that run from a checkout; none of this is in the image."""
