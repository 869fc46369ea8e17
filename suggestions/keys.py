"""Create the keys file (``SECRETS_FILE``, default ``instance/secrets.toml``) with fresh random keys, once.

Run as ``python -m suggestions.keys``.  An existing file is never overwritten: losing PHONE_ENCRYPTION_KEYS would
make every stored phone number unreadable.  Keep the file outside the data folder (``SECRETS_FILE=/etc/…``), or
give the keys as environment variables, so that a backup of the database does not also hold the key to it.
"""

import secrets
import sys

from cryptography.fernet import Fernet

from suggestions.config import INSTANCE_DIR, secrets_path


def main() -> int:
    path = secrets_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        content = (
            "# Generated once by `python -m suggestions.keys`. Keep this file private, backed up, and apart from\n"
            "# the database: whoever has both can read every stored phone number.\n"
            f'SECRET_KEY = "{secrets.token_urlsafe(48)}"\n'
            "# Comma-separated Fernet keys; the first encrypts, all decrypt (see README: key rotation).\n"
            f'PHONE_ENCRYPTION_KEYS = "{Fernet.generate_key().decode()}"\n'
            f'PHONE_HASH_KEY = "{secrets.token_urlsafe(32)}"\n'
        )
        path.write_text(content, encoding="utf-8")
        path.chmod(0o600)
        print(f"created {path}", file=sys.stderr)
    if path.resolve().is_relative_to(INSTANCE_DIR.resolve()):
        print(
            f"note: the keys ({path}) sit in the data folder {INSTANCE_DIR}; a backup of that folder holds both. "
            "For a real deployment set SECRETS_FILE to a path outside it (see README: Keys).",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
