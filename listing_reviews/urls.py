from django.urls import path

from . import views

app_name = "listing_reviews"

urlpatterns = [
    path("listing-reviews/", views.review_list, name="list"),
    path("listing-reviews/midterm/<int:pk>/", views.midterm_detail, name="midterm"),
    path("listing-reviews/midterm/<int:pk>/update/", views.midterm_update, name="midterm-update"),
    path("listing-reviews/midterm/<int:pk>/evidence/", views.midterm_evidence, name="midterm-evidence"),
    path("listing-reviews/midterm/<int:pk>/group-review/", views.midterm_group_review, name="midterm-group-review"),
    path("listing-reviews/midterm/<int:pk>/panel/", views.midterm_panel, name="midterm-panel"),
    path("listing-reviews/renewal/<int:pk>/", views.renewal_detail, name="renewal"),
    path("listing-reviews/renewal/<int:pk>/start/", views.renewal_start, name="renewal-start"),
]
