"""Safe, stable, unique file names for untrusted client ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_STEM = 40
_UNSAFE = re.compile(r"[^a-z0-9]+")


def slugify(client_id: str) -> str:
    """A file-name stem for ``client_id``: readable ASCII plus a short hash of the exact id.

    The hash keeps slugs unique (``"a/b"`` and ``"a b"`` differ) and stable across runs; the
    readable part has no separators, dots or reserved device names, so ``"../../x"`` becomes
    ``x-<hash>`` and can never leave the output folder.

    Examples
    --------
    >>> slugify("Acme, Inc.")
    'acme-inc-c40fac9c'
    """
    digest = hashlib.sha256(str(client_id).encode("utf-8")).hexdigest()[:8]
    ascii_text = unicodedata.normalize("NFKD", str(client_id)).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("-", ascii_text.lower()).strip("-")[:MAX_STEM].strip("-")
    return f"{stem}-{digest}" if stem else f"client-{digest}"
