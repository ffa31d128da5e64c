"""accounts.rules reads review seats without importing reviews (it sits below it): the values it
looks for must be the ones reviews writes, or every assigned reviewer would silently lose access."""

from accounts import rules
from reviews.choices import AssignmentRole, CoiStatus


def test_the_access_rules_name_the_seat_values_reviews_writes():
    # given the values accounts.rules compares seats with / then they are reviews' own
    assert rules.SEAT_CLEARED == CoiStatus.NO_CONFLICT
    assert rules.SEAT_EXPERT == AssignmentRole.EXPERT
    assert rules.SEAT_INDEPENDENT_REVIEWER == AssignmentRole.INDEPENDENT_REVIEWER
