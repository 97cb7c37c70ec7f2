"""Pages of the program kernel: priorities, people, facilities, site settings."""
