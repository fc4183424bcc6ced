"""``python -m irsa_components.addons.write_docs NAME... | --all``: regenerate add-on pages in docs/addons/.

Rewrites the generated part of each page from the catalogue and the add-on's upstream record, keeping any
hand-written text after it. A development tool: the pages live in the repository, not in the package.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .catalogue import CATALOGUE
from .docs import PAGES, write_pages


def main(argv: list[str]) -> int:
    """Regenerate the named pages (``--all``: every add-on's); exit status 2 on unknown names."""
    directory = Path(__file__).resolve().parents[2] / "docs" / PAGES
    names = list(CATALOGUE) if argv == ["--all"] else argv
    unknown = [n for n in names if n not in CATALOGUE]
    if not names or unknown:
        print(
            f"usage: python -m irsa_components.addons.write_docs NAME... | --all (unknown: {unknown})", file=sys.stderr
        )
        return 2
    for path in write_pages(directory, names):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
