"""Hot issues in the application: grouping kept in tables, staff decisions, per-domain themes, similar ideas.

``grouping`` (a suggestion joins an issue when routed; ``regroup`` from scratch), ``decisions`` (非热点, project
link, proposal for next year, merge of all duplicates), ``board`` (the /hot page's read side: ranking, daily
counts, districts and channels), ``themes`` (per domain, what residents raise most, for the yearly report) and
``similar`` (earlier ideas like the one a resident is typing, without personal data).
"""
