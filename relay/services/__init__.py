"""Relay's domain services: what the API routes and the workers' system activities call."""
