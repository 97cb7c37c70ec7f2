"""API input and output serializers of this app."""
