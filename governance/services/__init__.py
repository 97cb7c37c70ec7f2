"""Writes of this app: typed functions named <entity>_<action>."""
