"""The workspaces area's logic and its request and response bodies."""
