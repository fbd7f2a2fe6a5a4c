"""TaskForge against the Flask monolith it replaces: `python benchmarks/monolith.py --help`.

The race is monolith/race.py (its docstring says what is measured and how) and the monolith
is the rest of the monolith/ package. The race lives in the package because a script and a
package of one name in benchmarks/ are one module to mypy, which would check only the package.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the repository (functions, tests) and the sibling benchmarks

from monolith.race import entry  # noqa: E402

if __name__ == "__main__":
    sys.exit(entry())
