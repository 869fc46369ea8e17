"""What every page shares: staff login and roles (``login``), security headers (``headers``), error pages
(``errors``), template filters and navigation (``templating``), and administrators' settings (``settings_admin``)."""
