"""Storage: PostgreSQL (``db``, ``migrate``) and object storage (``objects``, ``keys``).

Import the submodules directly; this package imports nothing so that a Lambda needing only the
database does not pay for boto3, and the reverse.
"""
