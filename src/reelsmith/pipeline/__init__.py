"""The workflow steps: analyze, plan, prepare/submit/poll assets, compose, finalize, cleanup."""
