"""Responsible units of a jurisdiction, with the spellings plans use for them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Jurisdiction(models.Model):
    """The government whose units these are: one installation may hold the city and its districts."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DepartmentKind(models.TextChoices):
    DISTRICT_AGENCY = "district_agency", _("District government agency")
    PARTY_ORGAN = "party_organ", _("District Party committee organ")
    MUNICIPAL_BRANCH = "municipal_branch", _("Branch of a municipal agency")
    MANAGEMENT_COMMITTEE = "management_committee", _("Management committee")
    COMPANY = "company", _("Company")
    TOWN_STREET = "town_street", _("Town or street")
    COLLECTIVE = "collective", _("Collective entry")


class Department(models.Model):
    """One unit, however the plan spells it; collective entries (各相关部门) are units too."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="departments", verbose_name=_("jurisdiction")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("The canonical name."))
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)
    description = models.TextField(_("description"), blank=True)
    requires_head_signoff = models.BooleanField(
        _("head must sign off"),
        default=False,
        help_text=_("When set, a submitted report goes to the department head before the office."),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["jurisdiction", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="department_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_collective(self) -> bool:
        return self.kind == DepartmentKind.COLLECTIVE


class DepartmentAlias(models.Model):
    """A variant spelling found in a plan text (区金融局 for 区金融工作局), resolving to one unit."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("department")
    )
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, verbose_name=_("jurisdiction"))
    name = models.CharField(_("spelling"), max_length=100)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="alias_unique_name"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.jurisdiction_id = self.department.jurisdiction_id
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A person's place in one unit: reporters fill in its quarterly report, the head may sign it off."""

    class Role(models.TextChoices):
        REPORTER = "reporter", _("Reporter")
        HEAD = "head", _("Head of department")

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, related_name="membership", verbose_name=_("user")
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="members", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.REPORTER)

    class Meta:
        verbose_name = _("department member")
        verbose_name_plural = _("department members")
        ordering = ["department", "role", "user__username"]

    def __str__(self):
        return f"{self.user} · {self.department} · {self.get_role_display()}"
