"""Governance pages, under /governance/: thin views that parse, authorise, call one service or
selector and render. `reviews` (reviews, their agendas and minutes, action items), `decisions`
(the decision log), `maturity` (the maturity model) and `bodies` (who owns a route, who decides
a request)."""
