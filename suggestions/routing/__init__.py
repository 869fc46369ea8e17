"""Routing: what the models and the rules propose (``decision``), the one service that applies a route
(``dispatch.route``), the served model (``serving``), handler-type routing (``handlers``) and learning from
staff corrections (``retraining``).  The services are re-exported here: ``routing.route(...)``."""

from suggestions.routing.decision import RouteDecision, route_text
from suggestions.routing.dispatch import correct_route, record_correction, route, set_category_department

__all__ = ["RouteDecision", "correct_route", "record_correction", "route", "route_text", "set_category_department"]
