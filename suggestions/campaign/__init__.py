"""The campaign itself: each year's taxonomy (``taxonomy``), its projects (``projects``), decisions on residents'
ideas (``adoption``), messages to residents (``notifications``) and QR posters (``posters``)."""

from suggestions.campaign.adoption import Publication, decide_adoption, suggested_publication

__all__ = ["Publication", "decide_adoption", "suggested_publication"]
