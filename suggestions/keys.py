"""Create ``instance/secrets.toml`` with fresh random keys, once.

Run as ``python -m suggestions.keys``.  An existing file is never overwritten:
losing PHONE_ENCRYPTION_KEYS would make every stored phone number unreadable.
"""

import secrets
import sys

from cryptography.fernet import Fernet

from suggestions.config import INSTANCE_DIR


def main() -> int:
    path = INSTANCE_DIR / "secrets.toml"
    if path.exists():
        return 0
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    content = (
        "# Generated once by `python -m suggestions.keys`. Keep this file private and backed up.\n"
        f'SECRET_KEY = "{secrets.token_urlsafe(48)}"\n'
        "# Comma-separated Fernet keys; the first encrypts, all decrypt (see README: key rotation).\n"
        f'PHONE_ENCRYPTION_KEYS = "{Fernet.generate_key().decode()}"\n'
        f'PHONE_HASH_KEY = "{secrets.token_urlsafe(32)}"\n'
    )
    path.write_text(content, encoding="utf-8")
    path.chmod(0o600)
    print(f"created {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
