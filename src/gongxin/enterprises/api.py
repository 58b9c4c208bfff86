"""Enterprise archive API: list (same filters as the web list), detail, create, update,
delete and monthly figures. Scope is the same as the web UI: out of scope is a 404."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Case, Q, When
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from gongxin.core.choices import DISTRICT_KINDS, PARK_KINDS
from gongxin.core.models import Industry, Region, User
from gongxin.core.reference import industry_code
from gongxin.enterprises import selectors, services

router = Router(tags=["enterprises"])


class RegionRef(Schema):
    id: int
    code: str
    name: str


class IndustryRef(Schema):
    code: str
    name: str


class QualificationOut(Schema):
    kind: str
    level: str
    certificate_no: str
    issued_on: dt.date
    expires_on: dt.date | None


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    legal_representative: str
    established_on: dt.date | None
    registered_capital: Decimal | None = Field(None, description="yuan")
    address: str
    district: RegionRef
    park: RegionRef | None
    industry: IndustryRef | None
    size_class: str
    above_scale: bool
    status: str
    main_products: str
    business_scope: str
    service_officer: str | None = None
    qualifications: list[QualificationOut] = Field(
        default_factory=list, description="qualifications valid today"
    )
    updated_at: dt.datetime

    @staticmethod
    def resolve_service_officer(obj):
        return obj.service_officer.username if obj.service_officer_id else None

    @staticmethod
    def resolve_qualifications(obj):
        # An empty prefetched list is an answer too: querying again would cost one per row.
        if hasattr(obj, "valid_qualifications"):
            return obj.valid_qualifications
        return list(selectors.valid_qualifications().filter(enterprise=obj))


class EnterpriseFilters(Schema):
    q: str | None = Field(None, description="search name, products and business scope")
    district: int | None = None
    park: int | None = None
    industry: str | None = Field(None, description="GB/T 4754 code prefix, e.g. 39 or 3961")
    size_class: str | None = None
    above_scale: bool | None = None
    qualification: str | None = None
    status: str | None = None
    sort: str | None = Field(None, description="name, -name, established_on, registered_capital…")


class EnterpriseIn(Schema):
    uscc: str
    name: str
    legal_representative: str = ""
    established_on: dt.date | None = None
    registered_capital: Decimal | None = Field(None, description="yuan")
    address: str = ""
    district: str = Field(..., description="district code (GB/T 2260) or name")
    park: str | None = Field(None, description="park code or name")
    industry: str | None = Field(None, description="GB/T 4754-2017 code")
    size_class: str = ""
    above_scale: bool = False
    status: str = "operating"
    main_products: str = ""
    business_scope: str = ""
    service_officer: str | None = Field(None, description="username of a service officer")


class EnterprisePatch(Schema):
    name: str | None = None
    legal_representative: str | None = None
    established_on: dt.date | None = None
    registered_capital: Decimal | None = None
    address: str | None = None
    district: str | None = None
    park: str | None = None
    industry: str | None = None
    size_class: str | None = None
    above_scale: bool | None = None
    status: str | None = None
    main_products: str | None = None
    business_scope: str | None = None
    service_officer: str | None = None


class MonthlyFigureOut(Schema):
    period: str
    output_value: Decimal | None
    revenue: Decimal | None
    profit: Decimal | None
    tax: Decimal | None
    employees: int | None
    electricity: Decimal | None = Field(None, description="kWh")

    @staticmethod
    def resolve_period(obj):
        return obj.period.strftime("%Y-%m")


class MonthlyFigureIn(Schema):
    output_value: Decimal | None = Field(None, description="yuan")
    revenue: Decimal | None = None
    profit: Decimal | None = None
    tax: Decimal | None = None
    employees: int | None = None
    electricity: Decimal | None = Field(None, description="kWh")


def _region(value: str, kinds) -> Region | None:
    """A region of one of `kinds` by its code or its name (one query)."""
    return (
        Region.objects.filter(kind__in=kinds)
        .filter(Q(code=value) | Q(name=value))
        .order_by(Case(When(code=value, then=0), default=1))
        .first()
    )


def _resolve_refs(data: dict) -> dict:
    """Codes and names in the payload to the records they name (ValidationError if unknown)."""
    errors = {}
    for key, kinds, label in (
        ("district", DISTRICT_KINDS, "district"),
        ("park", PARK_KINDS, "park"),
    ):
        if data.get(key):
            region = _region(data[key], kinds)
            if region is None:
                errors[key] = [f"Unknown {label} {data[key]}"]
            data[key] = region
        elif key in data:
            data[key] = None
    if "industry" in data:
        code = industry_code(data["industry"])
        industry = Industry.objects.filter(code=code).first() if code else None
        if code and industry is None:
            errors["industry"] = [f"Unknown industry code {data['industry']}"]
        data["industry"] = industry
    if "service_officer" in data:
        name = data["service_officer"]
        officer = User.objects.filter(username=name).first() if name else None
        if name and officer is None:
            errors["service_officer"] = [f"Unknown user {name}"]
        data["service_officer"] = officer
    if errors:
        raise ValidationError(errors)
    return data


@router.get("", response=list[EnterpriseOut], summary="Enterprises in your scope")
@paginate(PageNumberPagination, page_size=50)
def enterprise_list(request, filters: Query[EnterpriseFilters]):
    params = {k: v for k, v in filters.dict().items() if v is not None}
    if "above_scale" in params:
        params["above_scale"] = "1" if params["above_scale"] else "0"
    return selectors.enterprise_list(user=request.user, filters=params)


@router.get("/{int:enterprise_id}", response=EnterpriseOut)
def enterprise_detail(request, enterprise_id: int):
    return get_object_or_404(selectors.enterprise_list(user=request.user), pk=enterprise_id)


@router.post("", response={201: EnterpriseOut})
def enterprise_create(request, payload: EnterpriseIn):
    data = _resolve_refs(payload.dict())
    enterprise = services.enterprise_create(actor=request.user, data=data)
    return Status(201, selectors.enterprise_list(user=request.user).get(pk=enterprise.pk))


@router.patch("/{int:enterprise_id}", response=EnterpriseOut)
def enterprise_update(request, enterprise_id: int, payload: EnterprisePatch):
    enterprise = get_object_or_404(selectors.enterprise_scope(request.user), pk=enterprise_id)
    data = _resolve_refs(payload.dict(exclude_unset=True))
    services.enterprise_update(actor=request.user, enterprise=enterprise, data=data)
    return selectors.enterprise_list(user=request.user).get(pk=enterprise.pk)


@router.delete("/{int:enterprise_id}", response={204: None})
def enterprise_delete(request, enterprise_id: int):
    enterprise = get_object_or_404(selectors.enterprise_scope(request.user), pk=enterprise_id)
    services.enterprise_delete(actor=request.user, enterprise=enterprise)
    return Status(204, None)


@router.get("/{int:enterprise_id}/monthly-figures", response=list[MonthlyFigureOut])
def monthly_figure_list(request, enterprise_id: int):
    enterprise = get_object_or_404(selectors.enterprise_scope(request.user), pk=enterprise_id)
    return list(selectors.monthly_figures(enterprise=enterprise))


@router.put("/{int:enterprise_id}/monthly-figures/{period}", response=MonthlyFigureOut)
def monthly_figure_put(request, enterprise_id: int, period: str, payload: MonthlyFigureIn):
    enterprise = get_object_or_404(selectors.enterprise_scope(request.user), pk=enterprise_id)
    try:
        month = dt.datetime.strptime(period, "%Y-%m").date()
    except ValueError:
        raise ValidationError({"period": ["Write the month as YYYY-MM."]}) from None
    return services.monthly_figure_save(
        actor=request.user, enterprise=enterprise, period=month, data=payload.dict()
    )
