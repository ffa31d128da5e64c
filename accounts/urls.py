from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("2fa/", views.two_factor_setup, name="2fa-setup"),
    path("2fa/verify/", views.two_factor_verify, name="2fa-verify"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("my-data/", views.my_data, name="my-data"),
    path("my-data/<int:pk>/download/", views.my_data_download, name="my-data-download"),
]
