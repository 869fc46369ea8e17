"""Who may open which page: every role against every staff page, and officers against other departments."""

import pytest

from tests import factories

OWN, OTHER = "own", "other"

# (method, path template, {role: expected status}); anonymous visitors are sent to the login page (302).
MATRIX = [
    ("GET", "/hotline/new", {"operator": 200, "dispatcher": 403, "officer": 403, "admin": 403}),
    ("POST", "/hotline/predict", {"operator": 400, "dispatcher": 403, "officer": 403, "admin": 403}),
    ("GET", "/queue", {"operator": 200, "dispatcher": 200, "officer": 200, "admin": 200}),
    ("GET", "/queue/export.csv", {"operator": 200, "dispatcher": 200, "officer": 200, "admin": 200}),
    ("POST", "/queue/export-unmasked.csv", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 200}),
    ("GET", "/queue/export.xlsx", {"operator": 200, "dispatcher": 200, "officer": 200, "admin": 200}),
    ("POST", "/queue/export-unmasked.xlsx", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 200}),
    ("GET", "/work/triage", {"operator": 403, "dispatcher": 200, "officer": 403, "admin": 200}),
    ("GET", "/work/review", {"operator": 403, "dispatcher": 200, "officer": 403, "admin": 200}),
    ("GET", "/work/extensions", {"operator": 403, "dispatcher": 200, "officer": 403, "admin": 200}),
    ("GET", "/work/callbacks", {"operator": 200, "dispatcher": 200, "officer": 403, "admin": 200}),
    ("GET", "/work/nonsense", {"operator": 404, "dispatcher": 404, "officer": 404, "admin": 404}),
    ("GET", "/stats/", {"operator": 403, "dispatcher": 200, "officer": 403, "admin": 200}),
    ("GET", "/hot/", {"operator": 403, "dispatcher": 200, "officer": 403, "admin": 200}),
    ("GET", "/hot/themes", {"operator": 403, "dispatcher": 200, "officer": 403, "admin": 200}),
    ("GET", "/hot/themes/export.csv", {"operator": 403, "dispatcher": 200, "officer": 403, "admin": 200}),
    ("GET", "/admin/", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 200}),
    ("GET", "/admin/audit", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 200}),
    ("GET", "/admin/models", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 200}),
    ("POST", "/admin/departments/1/type", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 303}),
    ("GET", "/admin/staff", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 200}),
    ("GET", "/admin/imports", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 200}),
    ("POST", "/admin/imports", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 400}),
    ("GET", "/admin/imports/999", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 404}),
    ("GET", "/admin/api-keys", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 200}),
    ("POST", "/admin/api-keys", {"operator": 403, "dispatcher": 403, "officer": 403, "admin": 303}),
    ("GET", "/suggestions/{own}", {"operator": 200, "dispatcher": 200, "officer": 200, "admin": 200}),
    ("GET", "/suggestions/{other}", {"operator": 200, "dispatcher": 200, "officer": 404, "admin": 200}),
    ("POST", "/suggestions/{own}/sign", {"operator": 403, "dispatcher": 403, "officer": 303, "admin": 403}),
    ("POST", "/suggestions/{other}/sign", {"operator": 403, "dispatcher": 403, "officer": 404, "admin": 403}),
    ("POST", "/suggestions/{own}/dispatch", {"operator": 403, "dispatcher": 303, "officer": 403, "admin": 303}),
    ("POST", "/suggestions/{own}/merge", {"operator": 403, "dispatcher": 303, "officer": 403, "admin": 303}),
]


@pytest.fixture
def items(app, seeded):
    vault = app.extensions["phone_vault"]
    return {
        OWN: factories.submit(vault, category=factories.category_coded("城乡建设")).suggestion,
        OTHER: factories.submit(vault, category=factories.category_coded("交通运输")).suggestion,
    }


def _cases():
    for method, path, expected in MATRIX:
        for role, status in expected.items():
            yield pytest.param(method, path, role, status, id=f"{role}-{method}-{path}")


@pytest.mark.parametrize(("method", "path", "role", "status"), list(_cases()))
def test_access(client, auth, staff, items, method, path, role, status):
    auth.login(staff[role])
    url = path.format(own=items[OWN].id, other=items[OTHER].id)
    response = client.open(url, method=method, data={"export-reason": "统计分析"} if "export" in url else {})
    # A 400 from a form check or a 303 back to the page means the request got past the access check.
    if status == 303:
        assert response.status_code in (303, 400) and response.status_code != 403
    else:
        assert response.status_code == status


@pytest.mark.parametrize(("method", "path"), sorted({(m, p) for m, p, _ in MATRIX}))
def test_anonymous_visitors_are_sent_to_login(client, items, method, path):
    url = path.format(own=items[OWN].id, other=items[OTHER].id)
    response = client.open(url, method=method)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
