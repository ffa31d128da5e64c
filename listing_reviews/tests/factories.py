"""Open a listed site's reviews the way beat does: the real service on the day they fall due."""

from listing_reviews import services
from listing_reviews.models import MidtermReview, RenewalReview


def open_midterm(certificate) -> MidtermReview:
    services.midterm_reviews_open(today=services.midterm_due_on(certificate))
    return MidtermReview.objects.get(certificate=certificate)


def open_renewal(certificate) -> RenewalReview:
    services.renewal_reviews_open(today=services.renewal_due_on(certificate))
    return RenewalReview.objects.get(certificate=certificate)
