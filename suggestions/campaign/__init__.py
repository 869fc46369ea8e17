"""The campaign itself: adoption decisions on residents' ideas (``adoption``)."""

from suggestions.campaign.adoption import decide_adoption

__all__ = ["decide_adoption"]
