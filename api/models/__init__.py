"""The API's request and response models (SQLModel ``Create``/``Update``/``Public`` families)."""
