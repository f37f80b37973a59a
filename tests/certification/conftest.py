import pytest

from tests import factories as f


@pytest.fixture
def draft(two_associations):
    """(a draft application of business A to association A, its criterion R1)."""
    standard = f.PublishedStandardFactory(association=two_associations.a)
    criterion = f.CriterionFactory(standard=standard, code="R1")
    application = f.ApplicationFactory(business=two_associations.business_a, standard=standard)
    return application, criterion
