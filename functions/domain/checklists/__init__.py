"""The checklists area's logic and its request and response bodies."""
