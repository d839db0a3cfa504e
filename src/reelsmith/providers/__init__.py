"""One adapter per external AI service, plus the offline stand-ins. Providers never touch the database."""
