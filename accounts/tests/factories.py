import factory

from accounts.choices import Role
from accounts.models import User
from accounts.services import role_grant

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def make_user(role: str | None = None, *, email: str | None = None, **scope) -> User:
    """A person holding one role (through the role service, as in production)."""
    user = UserFactory(**({"email": email} if email else {}))
    if role is not None:
        role_grant(user=user, role=role, granted_by=None, **scope)
    return user


__all__ = ["DEFAULT_PASSWORD", "Role", "UserFactory", "make_user"]
