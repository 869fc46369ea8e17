import pytest
import sqlalchemy as sa

from suggestions.campaign import projects as project_services
from suggestions.extensions import db
from suggestions.models import Campaign, CampaignDomain
from tests import factories


@pytest.fixture
def campaign(seeded) -> Campaign:
    """The seeded campaign (open today) with the notice's 10 domains."""
    return db.session.scalar(sa.select(Campaign))


def domain_of(campaign: Campaign, name: str) -> CampaignDomain:
    return next(d for d in campaign.domains if d.name == name)


@pytest.fixture
def make_project(campaign):
    def make(number=3, title="老旧小区加装电梯", domain="住房", **kwargs):
        project = project_services.save_project(
            None,
            campaign=campaign,
            year=campaign.year + 1,
            number=number,
            title=title,
            domain=domain_of(campaign, domain),
            lead_department=factories.department_named("市住房和城乡建设委员会"),
            **kwargs,
        )
        db.session.commit()
        return project

    return make
