"""Offline providers: make the whole product work with no keys and no network."""
