"""Django admin registrations of this app."""
