"""Thin Slack listeners: parse the request, call the workflow, answer."""
