"""The person's own API tokens: list, create (the key is in this one answer only), revoke.

Creating a token needs a browser session (verified with the authenticator when the person has one
or must have one): a token cannot mint tokens, so a leaked token cannot extend itself. Listing and
revoking work with a token too (a script may revoke its own leaked key; a read-only token may list).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action, api_view, authentication_classes
from rest_framework.response import Response

from accounts import error_codes, selectors, services
from accounts.authentication import ApiTokenAuthentication
from accounts.filters import PersonFilter, RoleAssignmentFilter
from core.api import ErrorSerializer
from core.errors import error_body

from .serializers import (
    AccreditationCreateSerializer,
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    RoleAssignmentCreateSerializer,
    RoleAssignmentSerializer,
    RoleRenewSerializer,
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
        400: OpenApiResponse(ErrorSerializer, description="Invalid name or expiry, or too many tokens"),
        403: OpenApiResponse(
            ErrorSerializer,
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
            error_body(
                error_codes.SESSION_REQUIRED, _("Create tokens from a logged-in browser session, not with a token.")
            ),
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
        404: OpenApiResponse(ErrorSerializer, description="No such token of yours"),
    },
)
@api_view(["POST"])
@authentication_classes([SessionAuthentication, ApiTokenAuthentication])
def my_token_revoke(request, pk):
    """Revoke one of your tokens at once (revoking a revoked token changes nothing)."""
    token = selectors.get_own_api_token(request.user, pk)
    token = services.api_token_revoke(token=token, by=request.user)
    return Response(ApiTokenSerializer(token).data)


# --- people, role assignments, accreditations, invitations (staff automation) ---------------------
# The rules are the pages' and the admin's (accounts.rules: can_see_people, can_edit_people,
# can_manage_roles / can_grant_role, can_invite); every change goes through accounts.services and
# is audited. Someone the person asking may not see is a 404; an action their role may not take on
# something they may see is a 403, decided before the body is read.

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (stable `code`)"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed (code `not_staff`, `role_not_grantable`…)"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you"),
}
READ_ERRORS = {404: ERRORS[404]}


@extend_schema_view(
    retrieve=extend_schema(responses={200: PersonSerializer, **READ_ERRORS}),
    partial_update=extend_schema(request=PersonUpdateSerializer, responses={200: PersonSerializer, **ERRORS}),
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People and their roles: everyone for IUCN staff (as in the admin), else yourself only.

    Administrators may change a person's name, organisation, language, or disable the account
    (`is_active`); the e-mail address (the login) and roles are not changed here."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.people_visible_to(self.request.user)

    def partial_update(self, request, pk=None):
        person = self.get_object()
        services.person_editor_required(request.user)
        data = PersonUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.person_update(person=person, by=request.user, changes=dict(data.validated_data))
        return Response(PersonSerializer(self.get_queryset().get(pk=person.pk)).data)


@extend_schema_view(
    retrieve=extend_schema(responses={200: RoleAssignmentSerializer, **READ_ERRORS}),
    create=extend_schema(request=RoleAssignmentCreateSerializer, responses={201: RoleAssignmentSerializer, **ERRORS}),
)
class RoleAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Roles people hold, in their scope, for a period: all of them for IUCN staff, else your own.

    IUCN staff give roles (to an existing, active person: invite anybody else), renew them (a new
    end date) and end them; the administrator role is given and ended by administrators only.
    Giving a role the person already holds in the same scope updates its chair flag and end date."""

    serializer_class = RoleAssignmentSerializer
    filterset_class = RoleAssignmentFilter
    create_serializer_class = RoleAssignmentCreateSerializer

    def get_queryset(self):
        return selectors.role_assignments_visible_to(self.request.user)

    def _grant(self, by, fields):
        return services.role_assign(by=by, **fields)

    def _answer(self, assignment, status_code=status.HTTP_200_OK):
        # Read back through the list's queryset, for the scope's names.
        return Response(RoleAssignmentSerializer(self.get_queryset().get(pk=assignment.pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        services.role_manager_required(request.user)
        data = self.create_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        return self._answer(self._grant(request.user, fields), status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RoleAssignmentSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def end(self, request, pk=None):
        """End the role today (ending an ended role changes nothing)."""
        assignment = self.get_object()
        return self._answer(services.role_end(assignment=assignment, by=request.user))

    @extend_schema(
        request=RoleRenewSerializer,
        responses={
            200: RoleAssignmentSerializer,
            **ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="The role was ended (code `role_ended`)"),
        },
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def renew(self, request, pk=None):
        """Set a new end date (today or later): renew an accreditation or a membership."""
        assignment = self.get_object()
        services.role_manager_required(request.user)
        data = RoleRenewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        renewed = services.role_renew(assignment=assignment, by=request.user, **data.validated_data)
        return self._answer(renewed)


@extend_schema_view(
    retrieve=extend_schema(responses={200: RoleAssignmentSerializer, **READ_ERRORS}),
    create=extend_schema(request=AccreditationCreateSerializer, responses={201: RoleAssignmentSerializer, **ERRORS}),
)
class AccreditationViewSet(RoleAssignmentViewSet):
    """Accreditations: the roles of experts (in a jurisdiction's Expert Assessment Group) and
    independent reviewers, with their end dates. All of them for IUCN staff, else your own;
    `?lapsing_within=60` lists those ending within 60 days (as the staff home page does).
    IUCN staff grant, renew and end them."""

    create_serializer_class = AccreditationCreateSerializer

    def get_queryset(self):
        return selectors.accreditations_visible_to(self.request.user)

    def _grant(self, by, fields):
        return services.accreditation_grant(by=by, **fields)


@extend_schema_view(
    list=extend_schema(responses={200: InvitationSerializer(many=True), 403: ERRORS[403]}),
    retrieve=extend_schema(responses={200: InvitationSerializer, 403: ERRORS[403], **READ_ERRORS}),
    create=extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer, **ERRORS}),
)
class InvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Invitations (IUCN staff, as on the invitations page): the e-mailed link lets the person set a
    password and take the role. The link's token is in the e-mail only, never in an answer."""

    serializer_class = InvitationSerializer
    filterset_fields = ["role", "email"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        services.inviter_required(request.user)

    def get_queryset(self):
        return selectors.invitations_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _token = services.invitation_create(invited_by=request.user, **data.validated_data)
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)
