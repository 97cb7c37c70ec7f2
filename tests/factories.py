"""factory_boy factories for the kernel's records."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from informatics.choices import FacilityKind, ValueCategory
from informatics.models import Facility, StrategicPriority, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@riverside.example")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(obj: User, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            obj.groups.set([Group.objects.get_or_create(name=role)[0] for role in extracted])
            vars(obj).pop("_roles_cache", None)


class FacilityFactory(factory.django.DjangoModelFactory[Facility]):
    class Meta:
        model = Facility
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"fac-{n}")
    name = factory.Sequence(lambda n: f"Facility {n}")
    kind = FacilityKind.SYSTEM


class PriorityFactory(factory.django.DjangoModelFactory[StrategicPriority]):
    class Meta:
        model = StrategicPriority

    code = factory.Sequence(lambda n: f"p{n}")
    title = factory.Sequence(lambda n: f"Priority {n}")
    goal_statement = "Reduce harm."
    value_category = ValueCategory.SAFETY_QUALITY
    horizon = factory.LazyFunction(lambda: datetime.date(timezone.localdate().year + 1, 6, 30))
    rank = factory.Sequence(lambda n: n + 1)
