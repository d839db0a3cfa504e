"""Use cases behind the API routers: thin routers call these, these call store, media and workflow."""
