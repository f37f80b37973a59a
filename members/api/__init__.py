"""The REST API (/api/v1/) for other systems: business tokens (auth.py), the
metric reports they push and read (views.py), its OpenAPI schema."""
