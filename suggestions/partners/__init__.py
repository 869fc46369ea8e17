"""Partner systems (天津政务网, 北方网, the 12345 system): their API keys and the Open311 GeoReport v2 exchange.

``keys`` issues, checks and revokes keys; ``georeport`` reads and writes suggestions in Open311's terms (services
are the campaign's domains, a request is a suggestion, the tracking code is its id); ``openapi`` describes the API.
"""
