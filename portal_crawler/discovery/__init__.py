"""Discovery helpers shared by spiders: sitemaps, windows of days, listings."""
