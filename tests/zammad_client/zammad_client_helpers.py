"""Constants shared by the client tests (no Django, no network)."""

BASE = "https://zammad.example"
TOKEN = "s3cr3t-api-token-value"
