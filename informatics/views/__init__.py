"""Pages of the program kernel: `priorities`, `people`, `site` (facilities and settings),
`account` (one's own), `redaction`, `exports` (a prepared list export and its file), `sso`
(sign-in, single sign-on's two ends) and `errors` (the 400, 403 and 500 pages).

Each view parses its input, authorises with `informatics.permissions`, calls one service or
selector, and renders. Business rules live in the services: a ValidationError they raise names
the field, and goes back onto the form beside it.
"""
