"""Reads of the portfolio, shaped for pages and the API: initiatives arrive with their latest
health, staleness and counts computed by the database (subqueries, never a loop of queries),
so templates and serializers never query.

Health, staleness and overdue milestones are defined, and computed, in initiatives.health.
The reads are in `portfolio`, `detail` and `needs_me`; callers import them from here.
"""

from initiatives.selectors.detail import (
    LINK_CANDIDATES,
    BenefitVariance,
    benefit_variance,
    initiative_detail,
    link_candidates,
)
from initiatives.selectors.needs_me import needs_me_for, needs_me_links
from initiatives.selectors.portfolio import (
    GATE_WAITING_STAGES,
    PortfolioCell,
    PortfolioRow,
    PortfolioSummary,
    initiative_list,
    initiative_url,
    portfolio_attention,
    portfolio_summary,
)

__all__ = [
    "GATE_WAITING_STAGES",
    "LINK_CANDIDATES",
    "BenefitVariance",
    "PortfolioCell",
    "PortfolioRow",
    "PortfolioSummary",
    "benefit_variance",
    "initiative_detail",
    "initiative_list",
    "initiative_url",
    "link_candidates",
    "needs_me_for",
    "needs_me_links",
    "portfolio_attention",
    "portfolio_summary",
]
