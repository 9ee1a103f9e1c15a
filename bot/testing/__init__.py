"""Test doubles that ship with the package: a fake Slack Web API, a request
signer and a harness running the real app against them (tests, demo, bench)."""
