"""CLI commands (placeholder, filled in by the CLI work)."""
