"""The enterprise archive (一企一档): one file per enterprise with its figures."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongxin.core.models import MoneyField
from gongxin.enterprises.choices import (
    EnterpriseStatus,
    ItemKind,
    ItemStatus,
    PlanStatus,
    QualificationKind,
    QualificationLevel,
    SizeClass,
    Tier,
)
from gongxin.enterprises.uscc import uscc_validator

MONEY = {"max_digits": 18, "decimal_places": 2, "null": True, "blank": True}


class Enterprise(models.Model):
    """An enterprise, identified by its 统一社会信用代码 (USCC, GB 32100-2015).

    The USCC is validated with its check digits before it is stored; it is the natural key
    for imports. Money is kept in yuan; the UI and files show 万元.
    """

    # Unique by Meta.constraints: a constraint, unlike unique=True, adds no LIKE index on
    # PostgreSQL, which nothing would use (search by code is OR-ed with substring matches)
    # and every insert would pay for.
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, validators=[uscc_validator]
    )
    # Indexed (Meta.indexes) for sorting by name; no LIKE index: search is by substring.
    name = models.CharField(_("name"), max_length=200)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    established_on = models.DateField(_("date established"), null=True, blank=True)
    registered_capital = MoneyField(_("registered capital (yuan)"), **MONEY)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # Indexed together with the name (Meta.indexes), which also serves lookups by region.
    district = models.ForeignKey(
        "core.Region",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="district_enterprises",
        db_index=False,
    )
    park = models.ForeignKey(
        "core.Region",
        verbose_name=_("park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="park_enterprises",
        db_index=False,
    )
    industry = models.ForeignKey(
        "core.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    size_class = models.CharField(
        _("size class"), max_length=10, choices=SizeClass.choices, blank=True
    )
    # 规上: main business revenue ≥ 20 million yuan, as listed by the statistics bureau.
    above_scale = models.BooleanField(_("above designated size"), default=False)
    status = models.CharField(
        _("operating status"),
        max_length=20,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.OPERATING,
    )
    main_products = models.CharField(_("main products"), max_length=500, blank=True)
    business_scope = models.TextField(_("business scope"), max_length=4000, blank=True)
    service_officer = models.ForeignKey(
        "core.User",
        verbose_name=_("service officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="served_enterprises",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["district", "name"], name="enterprise_district_idx"),
            models.Index(fields=["park", "name"], name="enterprise_park_idx"),
            models.Index(fields=["name"], name="enterprise_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], name="enterprise_uscc_unique"),
            # 18 characters of the code's alphabet; said without a counted repeat, which
            # PostgreSQL's regular expressions check many times slower.
            models.CheckConstraint(
                name="enterprise_uscc_form",
                condition=Exact(Length("uscc"), 18) & ~Q(uscc__regex=r"[^0-9A-HJ-NPQRTUWXY]"),
                violation_error_message=_("The unified social credit code has 18 characters."),
            ),
            models.CheckConstraint(
                name="enterprise_capital_not_negative",
                condition=Q(registered_capital__isnull=True) | Q(registered_capital__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:enterprise_detail", args=[self.pk])


class Contact(models.Model):
    """A person to call at the enterprise. Enterprise users keep their own contacts."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("full name"), max_length=50)
    title = models.CharField(_("position"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    """A recognition the enterprise holds (高新技术企业, 专精特新 …), valid between two dates."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="qualifications"
    )
    kind = models.CharField(_("qualification"), max_length=30, choices=QualificationKind.choices)
    level = models.CharField(
        _("level"), max_length=20, choices=QualificationLevel.choices, blank=True
    )
    certificate_no = models.CharField(_("certificate number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["kind", "-issued_on"]
        indexes = [
            # Who holds a kind: the list's filter, the cultivation ladder and each policy
            # rule's holds(…), which matching looks up for the whole archive.
            models.Index(fields=["kind"], name="qualification_kind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "issued_on"],
                name="qualification_unique_per_issue",
                violation_error_message=_("This qualification was already recorded for that date."),
            ),
            models.CheckConstraint(
                name="qualification_expires_after_issue",
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                violation_error_message=_("A qualification cannot expire before it is issued."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class MonthlyFigure(models.Model):
    """What the enterprise reported for one month (period = first day of the month).

    Money in yuan, electricity in kWh; a missing figure is NULL, never zero.
    """

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="monthly_figures"
    )
    period = models.DateField(_("month"))
    output_value = MoneyField(_("gross industrial output value"), **MONEY)
    revenue = MoneyField(_("operating revenue"), **MONEY)
    profit = MoneyField(_("total profit"), **MONEY)
    tax = MoneyField(_("taxes paid"), **MONEY)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    electricity = models.DecimalField(
        _("electricity used (kWh)"), max_digits=16, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("monthly figures")
        verbose_name_plural = _("monthly figures")
        ordering = ["enterprise", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "period"], name="monthly_figure_unique_period"
            ),
            models.CheckConstraint(
                name="monthly_figure_period_first_day", condition=Q(period__day=1)
            ),
        ]
        indexes = [models.Index(fields=["period"], name="monthly_figure_period_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.period:%Y-%m}"


class AnnualFigure(models.Model):
    """Figures for a whole year, including R&D spend, from the annual statistics."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="annual_figures"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    output_value = MoneyField(_("gross industrial output value"), **MONEY)
    revenue = MoneyField(_("operating revenue"), **MONEY)
    main_business_revenue = MoneyField(_("main business revenue"), **MONEY)
    profit = MoneyField(_("total profit"), **MONEY)
    tax = MoneyField(_("taxes paid"), **MONEY)
    rd_expense = MoneyField(_("R&D expenditure"), **MONEY)
    total_assets = MoneyField(_("total assets"), **MONEY)
    employees = models.PositiveIntegerField(_("average employees"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual figures")
        verbose_name_plural = _("annual figures")
        ordering = ["enterprise", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"], name="annual_figure_unique_year"
            ),
            models.CheckConstraint(
                name="annual_figure_year_range", condition=Q(year__gte=1949) & Q(year__lte=2100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


class CultivationPlan(models.Model):
    """一企一策: the plan to bring one enterprise up a rung of the cultivation ladder, with
    its measures and milestones, the official responsible, and its status over the years."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="cultivation_plans",
    )
    tier = models.CharField(_("target rung"), max_length=20, choices=Tier.choices)
    goal = models.TextField(_("goal"), max_length=2000)
    official = models.ForeignKey(
        "core.User",
        verbose_name=_("responsible official"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cultivation_plans",
    )
    start_year = models.PositiveSmallIntegerField(_("from year"))
    target_year = models.PositiveSmallIntegerField(_("target year"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cultivation plan")
        verbose_name_plural = _("cultivation plans")
        ordering = ["-start_year", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="cultivation_plan_years_in_order",
                condition=Q(target_year__gte=models.F("start_year")),
                violation_error_message=_("The target year cannot come before the first year."),
            ),
            models.UniqueConstraint(
                fields=["enterprise", "tier"],
                condition=Q(status=PlanStatus.ACTIVE),
                name="cultivation_plan_one_active_per_rung",
                violation_error_message=_(
                    "This enterprise already has a plan under way for this rung."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_tier_display()}"

    def get_absolute_url(self) -> str:
        return reverse("policies:plan_detail", args=[self.pk])


class PlanItem(models.Model):
    """A measure (措施) or a milestone (节点) of a cultivation plan."""

    plan = models.ForeignKey(CultivationPlan, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    text = models.CharField(_("what"), max_length=500)
    responsible = models.CharField(_("responsible"), max_length=100, blank=True)
    due_on = models.DateField(pgettext_lazy("deadline", "due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="plan_item_done_has_date",
                condition=~Q(status=ItemStatus.DONE) | Q(done_on__isnull=False),
                violation_error_message=_("A finished item needs the day it was done."),
            )
        ]

    def __str__(self) -> str:
        return self.text
