"""The person's own API tokens: list, create (the key is in this one answer only), revoke.

Creating a token needs a browser session (verified with the authenticator when the person has one
or must have one): a token cannot mint tokens, so a leaked token cannot extend itself. Listing and
revoking work with a token too (a script may revoke its own leaked key; a read-only token may list).
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes
from rest_framework.response import Response

from accounts import selectors, services
from accounts.authentication import ApiTokenAuthentication

from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenErrorSerializer,
    ApiTokenSerializer,
)

TOKEN_PK = OpenApiParameter("id", int, OpenApiParameter.PATH, description="API token id")


def _session_verified(request) -> bool:
    # django_otp's middleware gives the session's user is_verified(); anything else is not verified.
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


@extend_schema(methods=["GET"], responses={200: ApiTokenSerializer(many=True)})
@extend_schema(
    methods=["POST"],
    request=ApiTokenCreateSerializer,
    responses={
        201: ApiTokenCreatedSerializer,
        400: OpenApiResponse(ApiTokenErrorSerializer, description="Invalid name or expiry, or too many tokens"),
        403: OpenApiResponse(
            ApiTokenErrorSerializer,
            description="Not from a browser session, or the session is not verified with the authenticator "
            "(code `two_factor_required`)",
        ),
    },
)
@api_view(["GET", "POST"])
@authentication_classes([SessionAuthentication, ApiTokenAuthentication])
def my_tokens(request):
    """Your own API tokens (never their keys), or create one.

    Send a token as `Authorization: Token <key>` (or `Bearer <key>`). The key is in the creation
    answer only: store it then, it cannot be shown again. Tokens expire (default 90 days, at most a
    year); a read-only token may only make GET, HEAD and OPTIONS requests. Tokens are created from a
    browser session only, never with another token."""
    if request.method == "GET":
        tokens = selectors.api_tokens_of(request.user)
        return Response(ApiTokenSerializer(tokens, many=True).data)
    if isinstance(request.successful_authenticator, ApiTokenAuthentication):
        return Response(
            {"code": "session_required", "detail": "Create tokens from a logged-in browser session, not with a token."},
            status=status.HTTP_403_FORBIDDEN,
        )
    params = ApiTokenCreateSerializer(data=request.data)
    params.is_valid(raise_exception=True)
    token, key = services.api_token_create(
        user=request.user,
        name=params.validated_data["name"],
        expires_in_days=params.validated_data.get("expires_in_days"),
        read_only=params.validated_data["read_only"],
        otp_verified=_session_verified(request),
    )
    token.key = key
    response = Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(
    parameters=[TOKEN_PK],
    request=None,
    responses={
        200: ApiTokenSerializer,
        404: OpenApiResponse(ApiTokenErrorSerializer, description="No such token of yours"),
    },
)
@api_view(["POST"])
@authentication_classes([SessionAuthentication, ApiTokenAuthentication])
def my_token_revoke(request, pk):
    """Revoke one of your tokens at once (revoking a revoked token changes nothing)."""
    token = selectors.get_own_api_token(request.user, pk)
    token = services.api_token_revoke(token=token, by=request.user)
    return Response(ApiTokenSerializer(token).data)
