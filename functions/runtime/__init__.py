"""Hosts any Lambda handler over HTTP and CloudEvents. Knows nothing of tasks."""
