from django.urls import path

from . import views

urlpatterns = [
    path("concerns/", views.ConcernListView.as_view(), name="concern-list"),
    path("concerns/<int:pk>/", views.ConcernDetailView.as_view(), name="concern-detail"),
    path("concerns/<int:pk>/triage/", views.TriageView.as_view(), name="concern-triage"),
    path("concerns/<int:pk>/answer/", views.AnswerView.as_view(), name="concern-answer"),
    path("concerns/<int:pk>/share/", views.ShareView.as_view(), name="concern-share"),
    path("concerns/<int:pk>/advice/", views.AdviceView.as_view(), name="concern-advice"),
    path("concerns/<int:pk>/outcome/", views.OutcomeView.as_view(), name="concern-outcome"),
    path("concerns/<int:pk>/close/", views.CloseView.as_view(), name="concern-close"),
    path("concern-files/<int:pk>/", views.AttachmentView.as_view(), name="concern-file"),
]
