from django.apps import AppConfig


class ListingReviewsConfig(AppConfig):
    name = "listing_reviews"
    verbose_name = "Reviews of listed sites"

    def ready(self):
        # assessments sits below this app: the assessment page learns of a listed cycle's reviews, and
        # of the renewal a cycle belongs to, from the reader handed over here.
        from assessments import sections

        from .selectors import assessment_page_links

        sections.provide_page_links(assessment_page_links)
