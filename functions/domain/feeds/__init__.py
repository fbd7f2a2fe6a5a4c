"""The feeds area's logic and its request and response bodies."""
