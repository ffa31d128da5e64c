"""Routes of the Standard's authoring pages (issue 14): the versions, a version, and for the keepers
a draft's editor, its forms, preview, publishing and deletion."""

from django.urls import path

from standards import authoring_views as views

urlpatterns = [
    path("versions/", views.versions, name="versions"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/new-draft/", views.draft_new, name="draft-new"),
    path("versions/<int:pk>/edit/", views.draft_edit, name="draft-edit"),
    path("versions/<int:pk>/preview/", views.preview, name="draft-preview"),
    path("versions/<int:pk>/publish/", views.draft_publish, name="draft-publish"),
    path("versions/<int:pk>/delete/", views.draft_delete, name="draft-delete"),
    path("versions/<int:pk>/components/<int:cpk>/edit/", views.component_edit, name="component-edit"),
    path("versions/<int:pk>/criteria/<int:kpk>/edit/", views.criterion_edit, name="criterion-edit"),
    path("versions/<int:pk>/criteria/<int:kpk>/add/", views.indicator_add, name="indicator-add"),
    path("versions/<int:pk>/indicators/<int:ipk>/edit/", views.indicator_edit, name="indicator-edit"),
    path("versions/<int:pk>/indicators/<int:ipk>/move/", views.indicator_move, name="indicator-move"),
    path("versions/<int:pk>/indicators/<int:ipk>/remove/", views.indicator_remove, name="indicator-remove"),
]
