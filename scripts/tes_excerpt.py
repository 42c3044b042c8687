"""Cut the excerpt of the unseen writers' pen digits that the test suite ships
(tests/data/pendigits-tes-excerpt.gz), so no test depends on ../shared being there.

It keeps the file's header, every digit of its first writer (the tests teach and personalise on
one writer) and every 17th digit of the other 13 writers (the tests replay them into the
window). The excerpt is test data only: nothing trains on it.

    python scripts/tes_excerpt.py [../shared/pendigits/pendigits-orig.tes.gz]
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "pendigits" / "pendigits-orig.tes.gz"
OUT = ROOT / "tests" / "data" / "pendigits-tes-excerpt.gz"
EVERY = 17


def main(source: Path = SOURCE) -> None:
    text = gzip.decompress(source.read_bytes()).decode("ascii")
    header, *segments = re.split(r"(?m)^(?=\.SEGMENT )", text)
    writers = [re.search(r"(?m)^\.COMMENT\s+\d+\s+(\d+)", s)[1] for s in segments]
    kept = [
        s
        for i, (s, w) in enumerate(zip(segments, writers, strict=True))
        if w == writers[0] or i % EVERY == 0
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(gzip.compress((header + "".join(kept)).encode("ascii"), mtime=0))
    print(
        f"{OUT.relative_to(ROOT)}: {len(kept)} of {len(segments)} digits, "
        f"{OUT.stat().st_size:,} bytes"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
