from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.my_reviews, name="mine"),
    path("agreement/", views.agreement, name="agreement"),
    path("assessments/<int:pk>/", views.review, name="review"),
    path("assessments/<int:pk>/manage/", views.manage, name="manage"),
    path("assessments/<int:pk>/phase/<slug:action>/", views.phase, name="phase"),
    # Before the forms' pattern below, whose <slug:kind> "details" would also match.
    path("assessments/<int:pk>/indicators/<int:answer_id>/", views.indicator_page, name="indicator-page"),
    path("assessments/<int:pk>/indicators/<int:answer_id>/details/", views.indicator_part, name="indicator-part"),
    path("assessments/<int:pk>/indicators/<int:answer_id>/<slug:kind>/", views.indicator_post, name="indicator"),
    path("assessments/<int:pk>/share/", views.share, name="share"),
    path("assessments/<int:pk>/recommend/", views.recommend, name="recommend"),
    path("assessments/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("assignments/<int:pk>/declare/", views.declare, name="declare"),
    path("assignments/<int:pk>/remove/", views.assignment_remove, name="assignment-remove"),
    path("requests/<int:pk>/reply/", views.request_reply, name="request-reply"),
    path("requests/<int:pk>/close/", views.request_close, name="request-close"),
]
