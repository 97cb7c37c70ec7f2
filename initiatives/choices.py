"""Choices (TextChoices) of this app."""
