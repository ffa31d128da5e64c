from django.urls import path

from . import views

urlpatterns = [
    path("me/tokens/", views.my_tokens, name="my-tokens"),
    path("me/tokens/<int:pk>/revoke/", views.my_token_revoke, name="my-token-revoke"),
]
