"""API views of this app: one per operation, each calling one service or selector."""
