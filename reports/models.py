"""Monthly value reports (the report issue adds the records)."""
