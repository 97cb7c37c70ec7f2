"""This app's part of the demo health system (DOMAIN.md §7).

`manage.py seed_demo` calls `seed(*, stdout)` here, in dependency order (informatics,
initiatives, metrics, governance, reports); it is safe to run again (upsert by natural keys) and
uses what the apps before it seeded: the bodies, route owners, the decisions behind the
portfolio's gates (`gates`) and reviews (`reviews`), then the maturity history and target
(`maturity`).
"""

from governance.demo import maturity, reviews
from informatics.demo import Writer


def seed(*, stdout: Writer) -> None:
    reviews.seed(stdout=stdout)
    maturity.seed(stdout=stdout)
