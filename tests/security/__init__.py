"""Payload encryption, the codec endpoint, and a product action module loaded from settings."""
